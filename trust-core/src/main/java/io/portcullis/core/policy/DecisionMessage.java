package io.portcullis.core.policy;

import io.portcullis.core.policy.PolicyEvaluator.RequirementOutcome;
import io.portcullis.core.policy.SignatureRule.Combinator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The one-line message of a {@link PolicyDecision}: which policy, which requirements failed and
 * why, and what would satisfy it. Built only from reasons, key ids and certificate subjects, so it
 * can go into a 403 response or a log without leaking key material.
 */
final class DecisionMessage {
  private DecisionMessage() {}

  static String of(
      Policy policy,
      SignatureRule rule,
      boolean satisfied,
      int passed,
      List<RequirementOutcome> outcomes,
      List<CheckResult> logged) {
    String who = "policy '" + policy.name() + "'";
    if (satisfied) {
      String by =
          outcomes.stream()
              .filter(o -> o.result().passed())
              .flatMap(o -> o.result().signers().stream())
              .collect(Collectors.joining(", "));
      String notes =
          logged.isEmpty()
              ? ""
              : "; logged: "
                  + logged.stream()
                      .map(c -> c.check() + ": " + c.reason())
                      .collect(Collectors.joining("; "));
      return "allowed by " + who + ": " + rule.combinator().key() + " satisfied by " + by + notes;
    }
    List<RequirementOutcome> failed = outcomes.stream().filter(o -> !o.result().passed()).toList();
    String reasons =
        "["
            + failed.stream()
                .map(o -> o.requirement().label() + ": " + o.result().reason())
                .collect(Collectors.joining("; "))
            + "]";
    String problem =
        switch (rule.combinator()) {
          case ANY_OF -> "no signature satisfies anyOf " + reasons;
          case ALL_OF -> "signatures do not satisfy allOf " + reasons;
          case THRESHOLD ->
              "only "
                  + passed
                  + " of the "
                  + rule.required()
                  + " signatures threshold requires verify "
                  + reasons;
        };
    String remedy = remedy(rule, passed, failed);
    return switch (policy.mode()) {
      case ENFORCE -> "denied by " + who + ": " + problem + " — " + remedy;
      default ->
          "allowed by " + who + " in audit mode, though not satisfied: " + problem + " — " + remedy;
    };
  }

  private static String remedy(SignatureRule rule, int passed, List<RequirementOutcome> failed) {
    List<String> options = failed.stream().map(o -> o.requirement().remedy()).toList();
    if (rule.combinator() == Combinator.ANY_OF) {
      return "sign the image with " + String.join(" or ", options);
    }
    if (rule.combinator() == Combinator.ALL_OF) {
      return "sign the image with " + String.join(" and ", options);
    }
    int missing = rule.required() - passed;
    return "sign the image with " + missing + " more of: " + String.join("; ", options);
  }
}
