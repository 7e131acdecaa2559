package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Reference;
import io.portcullis.core.policy.Policy;
import io.portcullis.gateway.upstream.UpstreamArtifacts;
import io.portcullis.gateway.upstream.UpstreamRoute;

/**
 * One request under the trust policy in force: who asked, for what, and the policy that applies.
 */
record PolicyRequest(
    String client,
    String requestId,
    UpstreamRoute route,
    PolicyHolder.Loaded loaded,
    Policy policy,
    Reference reference) {
  String repo() {
    return route.canonicalName();
  }

  String revision() {
    return loaded.policy().revision();
  }

  String accept() {
    return UpstreamArtifacts.anyManifest();
  }
}
