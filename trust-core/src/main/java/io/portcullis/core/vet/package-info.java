/**
 * Vetting rules beyond signatures: what an image's config may hold (user, environment, ports,
 * labels, age) and what its attestations must say (vulnerability scans by Trivy or Grype, SLSA
 * provenance builders). Pure functions over bytes already fetched; {@link
 * io.portcullis.core.policy.PolicyEvaluator} turns their findings into checks. Nothing here ever
 * returns an environment variable's value, so a finding can go into a denial or a log line.
 */
package io.portcullis.core.vet;
