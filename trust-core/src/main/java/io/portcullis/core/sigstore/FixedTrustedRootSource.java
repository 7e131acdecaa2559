package io.portcullis.core.sigstore;

/** A trusted root that does not change: shipped, or read from a file. */
record FixedTrustedRootSource(TrustedRoot root, String description) implements TrustedRootSource {
  @Override
  public TrustedRoot current() {
    return root;
  }
}
