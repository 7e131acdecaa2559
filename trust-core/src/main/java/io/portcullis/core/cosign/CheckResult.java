package io.portcullis.core.cosign;

/** The result of one {@link Check}: passed or not, and a sentence a person can act on. */
public record CheckResult(Check check, boolean passed, String detail) {
  public static CheckResult pass(Check check, String detail) {
    return new CheckResult(check, true, detail);
  }

  public static CheckResult fail(Check check, String detail) {
    return new CheckResult(check, false, detail);
  }
}
