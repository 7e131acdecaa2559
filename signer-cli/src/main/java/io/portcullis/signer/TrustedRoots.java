package io.portcullis.signer;

import io.portcullis.core.sigstore.SigstoreFormatException;
import io.portcullis.core.sigstore.TrustedRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Sigstore trusted root a command verifies against: {@code --trusted-root FILE} when given,
 * else the public-good root (or with {@code --staging} the staging root) that ships in the jar. An
 * unreadable or malformed file is a usage error: the fix is in the command line.
 */
final class TrustedRoots {
  private TrustedRoots() {}

  static TrustedRoot load(Path file, boolean staging) {
    if (file != null) {
      return fromFile(file);
    }
    throw new UsageException(
        "no trusted root is available: give --trusted-root FILE"
            + (staging ? " (the staging root)" : ""));
  }

  static TrustedRoot fromFile(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > TrustedRoot.MAX_BYTES) {
        throw new UsageException("--trusted-root " + file + " is over " + TrustedRoot.MAX_BYTES);
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UsageException("cannot read --trusted-root " + file);
    }
    try {
      return TrustedRoot.parse(bytes);
    } catch (SigstoreFormatException e) {
      throw new UsageException("--trusted-root " + file + ": " + e.getMessage());
    }
  }
}
