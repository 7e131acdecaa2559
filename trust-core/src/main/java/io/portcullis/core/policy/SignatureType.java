package io.portcullis.core.policy;

import java.util.Locale;

/** The signature formats a requirement can ask for, named as in the policy file. */
public enum SignatureType {
  /** A cosign key signature at tag {@code sha256-<hex>.sig}, verified against a cosign store. */
  COSIGN,
  /** A Notary Project signature found through the referrers API, verified against an x509 store. */
  NOTATION,
  /**
   * A Docker Content Trust (Notary v1) signed target naming the image, verified against a {@code
   * notary-v1} store (see {@code docs/dct.md}).
   */
  DCT;

  /** The name used in the policy file and in check names. */
  public String policyName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
