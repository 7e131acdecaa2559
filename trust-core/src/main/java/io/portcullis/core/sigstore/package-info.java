/**
 * Sigstore: <a href="https://github.com/sigstore/protobuf-specs">bundles and trusted roots</a>, and
 * keyless (Fulcio certificate, Rekor log, CT, RFC 3161) and key-based verification of bundles.
 */
package io.portcullis.core.sigstore;
