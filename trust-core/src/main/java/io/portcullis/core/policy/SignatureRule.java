package io.portcullis.core.policy;

import java.util.List;

/**
 * The {@code signatures} section: how many of the listed requirements must be met.
 *
 * @param combinator {@code anyOf}, {@code allOf} or {@code threshold}
 * @param required how many requirements must pass: 1, all, or the threshold's {@code n}
 * @param requirements the listed requirements, in file order
 */
public record SignatureRule(
    Combinator combinator, int required, List<SignatureRequirement> requirements) {

  /** The three ways to combine requirements, named as their policy keys. */
  public enum Combinator {
    ANY_OF("anyOf"),
    ALL_OF("allOf"),
    THRESHOLD("threshold");

    private final String key;

    Combinator(String key) {
      this.key = key;
    }

    /** The key in the policy file. */
    public String key() {
      return key;
    }
  }

  public SignatureRule {
    requirements = List.copyOf(requirements);
    if (required < 1 || required > requirements.size()) {
      throw new IllegalArgumentException(
          "required must be between 1 and " + requirements.size() + ", was " + required);
    }
  }

  /** The key path of requirement {@code i}, e.g. {@code signatures.threshold.of[1]}. */
  public String path(int i) {
    return "signatures."
        + combinator.key()
        + (combinator == Combinator.THRESHOLD ? ".of" : "")
        + "["
        + i
        + "]";
  }
}
