package io.portcullis.core.policy;

/**
 * A trust policy document that cannot be used. The message is one line: the key path ({@code
 * policies[0].signatures.anyOf[1].trustStore}) and what to change, as notation-go reports policy
 * errors, so the fix needs no stack trace.
 */
public final class PolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String keyPath;

  /**
   * @param source the policy file (or other name the caller gave), for log lines
   * @param keyPath where in the document, e.g. {@code trustStores.release-keys.keys[0]}; empty for
   *     the whole document
   * @param problem what is wrong and what to do, one line
   */
  public PolicyException(String source, String keyPath, String problem) {
    super(keyPath.isEmpty() ? problem : keyPath + ": " + problem);
    this.source = source;
    this.keyPath = keyPath;
  }

  /** The policy file or the name given to {@link TrustPolicyLoader#parse}. */
  public String source() {
    return source;
  }

  /** The key path the message starts with; empty when the document as a whole is at fault. */
  public String keyPath() {
    return keyPath;
  }
}
