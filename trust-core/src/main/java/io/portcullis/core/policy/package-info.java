/**
 * Trust policies: which signatures an image must carry, per repository scope, and how a failed
 * check is treated (enforced, audited, off). Modelled on the Notary Project <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-policy">trust
 * policy</a>: the document is validated up front by {@link
 * io.portcullis.core.policy.TrustPolicyLoader} with one-line messages that name the key and what to
 * do, and {@link io.portcullis.core.policy.PolicyEvaluator} returns a {@link
 * io.portcullis.core.policy.PolicyDecision} listing every check instead of throwing. Vetting rules
 * beyond signatures ({@link io.portcullis.core.policy.VetRules}) are judged with {@link
 * io.portcullis.core.vet}. The schema is documented in {@code trust-policies/README.md}.
 */
package io.portcullis.core.policy;
