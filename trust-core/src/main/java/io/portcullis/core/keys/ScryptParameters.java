package io.portcullis.core.keys;

import java.util.Set;

/**
 * The scrypt cost parameters of an encrypted cosign key. Only those cosign itself accepts are let
 * through (N of 32768, 65536 or 131072 with r=8, p=1), so a crafted file cannot make the gateway or
 * CLI spend gigabytes of memory deriving a key; see cosign's {@code pkg/cosign/keys.go}.
 */
public record ScryptParameters(int n, int r, int p) {
  // declared before COSIGN_DEFAULT: static initialisers run in order and the constructor reads it
  private static final Set<Integer> ACCEPTED_N = Set.of(32768, 65536, 131072);

  /** What cosign writes and this project writes. */
  public static final ScryptParameters COSIGN_DEFAULT = new ScryptParameters(32768, 8, 1);

  public ScryptParameters {
    if (!ACCEPTED_N.contains(n) || r != 8 || p != 1) {
      throw new KeyFormatException(
          "unsupported scrypt parameters N="
              + n
              + ", r="
              + r
              + ", p="
              + p
              + "; cosign accepts only N=32768, 65536 or 131072 with r=8, p=1");
    }
  }
}
