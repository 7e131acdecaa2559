package io.portcullis.core.policy;

import java.util.Locale;

/** The signature formats a requirement can ask for, named as in the policy file. */
public enum SignatureType {
  /** A cosign key signature at tag {@code sha256-<hex>.sig}, verified against a cosign store. */
  COSIGN,
  /** A Notary Project signature found through the referrers API, verified against an x509 store. */
  NOTATION;

  /** The name used in the policy file and in check names. */
  public String policyName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
