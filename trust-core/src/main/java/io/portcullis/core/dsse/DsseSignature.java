package io.portcullis.core.dsse;

import java.util.Arrays;

/**
 * One entry of a DSSE envelope's {@code signatures}: an optional key id and the signature bytes.
 */
public record DsseSignature(String keyid, byte[] sig) {
  public DsseSignature {
    keyid = keyid == null ? "" : keyid;
    sig = sig.clone();
  }

  @Override
  public byte[] sig() {
    return sig.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DsseSignature s && s.keyid.equals(keyid) && Arrays.equals(s.sig, sig);
  }

  @Override
  public int hashCode() {
    return keyid.hashCode() * 31 + Arrays.hashCode(sig);
  }

  @Override
  public String toString() {
    return "DsseSignature[keyid=" + keyid + ", " + sig.length + " bytes]";
  }
}
