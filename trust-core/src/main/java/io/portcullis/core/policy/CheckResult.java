package io.portcullis.core.policy;

/**
 * One line of a {@link PolicyDecision}, in the spirit of notation-go's {@code {check, action,
 * error}} outcome.
 *
 * @param check what was checked, e.g. {@code signatures.anyOf[0] cosign release-keys} or {@code
 *     signatures.anyOf[1] notation release-ca expiry}
 * @param outcome how it ended
 * @param reason one line a person can act on; never key material
 */
public record CheckResult(String check, Outcome outcome, String reason) {}
