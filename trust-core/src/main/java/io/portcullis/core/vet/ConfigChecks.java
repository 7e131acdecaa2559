package io.portcullis.core.vet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The config rules as functions from an {@link ImageConfig} to a problem, empty when the rule
 * holds. Problems name fields (the user, a variable's name, a port, a label), never a variable's
 * value.
 */
public final class ConfigChecks {
  private ConfigChecks() {}

  /** Root is uid 0 or the name {@code root}, with any group; an unset user is root. */
  public static Optional<String> nonRoot(ImageConfig config) {
    String user = config.user().strip();
    if (user.isEmpty()) {
      return Optional.of("User is not set, so the image runs as root; set USER to a non-root uid");
    }
    String name = user.split(":", 2)[0].strip();
    if (name.isEmpty() || name.equals("root") || isZero(name)) {
      return Optional.of("User '" + user + "' is root; set USER to a non-root uid");
    }
    return Optional.empty();
  }

  private static boolean isZero(String uid) {
    return uid.chars().allMatch(c -> c == '0');
  }

  /** The names of variables that look like secrets, each with why; never their values. */
  public static List<String> secretsInEnv(ImageConfig config) {
    List<String> found = new ArrayList<>();
    for (String entry : config.env()) {
      int eq = entry.indexOf('=');
      String name = eq < 0 ? entry : entry.substring(0, eq);
      String value = eq < 0 ? "" : entry.substring(eq + 1);
      SecretPatterns.classify(name, value).ifPresent(why -> found.add(name + " (" + why + ")"));
    }
    return found;
  }

  /** Exposed ports not in {@code allowed}. */
  public static List<String> disallowedPorts(ImageConfig config, List<Integer> allowed) {
    List<String> bad = new ArrayList<>();
    for (String port : config.exposedPorts()) {
      String number = port.split("/", 2)[0];
      boolean ok;
      try {
        ok = allowed.contains(Integer.parseInt(number));
      } catch (NumberFormatException e) {
        ok = false;
      }
      if (!ok) {
        bad.add(port);
      }
    }
    return bad;
  }

  /** Required labels that are missing or empty. */
  public static List<String> missingLabels(ImageConfig config, List<String> required) {
    return required.stream()
        .filter(label -> config.labels().getOrDefault(label, "").isBlank())
        .toList();
  }

  /** Why the image is too old (or has no usable {@code created}), or empty. */
  public static Optional<String> tooOld(ImageConfig config, Duration maxAge, Instant now) {
    if (config.created().isEmpty()) {
      return Optional.of("created is missing or not a timestamp, so its age is unknown");
    }
    Duration age = Duration.between(config.created().get(), now);
    if (age.compareTo(maxAge) > 0) {
      return Optional.of(
          "created "
              + config.created().get()
              + " is "
              + days(age)
              + " old, over maxAge "
              + days(maxAge)
              + "; rebuild the image");
    }
    return Optional.empty();
  }

  /** {@code 40d} or {@code 5h}, for messages. */
  public static String days(Duration d) {
    return d.toDays() > 0
        ? d.toDays() + "d"
        : String.format(Locale.ROOT, "%dh", Math.max(0, d.toHours()));
  }
}
