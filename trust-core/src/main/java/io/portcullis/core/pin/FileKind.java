package io.portcullis.core.pin;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The kinds of file whose image references {@link ReferenceRewriter} pins. */
public enum FileKind {
  /** {@code FROM} instructions of a Dockerfile or Containerfile. */
  DOCKERFILE,
  /** {@code image:} of services in a Compose file. */
  COMPOSE,
  /** {@code image:} of containers, initContainers and ephemeralContainers in Kubernetes YAML. */
  KUBERNETES;

  private static final Pattern TOP_LEVEL_API_VERSION =
      Pattern.compile("^apiVersion\\s*:", Pattern.MULTILINE);
  private static final Pattern TOP_LEVEL_SERVICES =
      Pattern.compile("^services\\s*:", Pattern.MULTILINE);

  /**
   * The kind of a file, from its name first (Dockerfile, Containerfile, {@code *.Dockerfile},
   * {@code compose.yaml}, {@code docker-compose*.yml}) and else, for {@code .yaml}/{@code .yml},
   * from its top-level keys ({@code apiVersion} for Kubernetes, {@code services} for Compose).
   * Empty when neither tells.
   */
  public static Optional<FileKind> detect(String fileName, String content) {
    String name = fileName.toLowerCase(Locale.ROOT);
    if (name.equals("dockerfile")
        || name.equals("containerfile")
        || name.startsWith("dockerfile.")
        || name.startsWith("containerfile.")
        || name.endsWith(".dockerfile")
        || name.endsWith(".containerfile")) {
      return Optional.of(DOCKERFILE);
    }
    boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
    if (!yaml) {
      return Optional.empty();
    }
    if (name.startsWith("compose.")
        || name.startsWith("docker-compose.")
        || name.startsWith("compose-")
        || name.startsWith("docker-compose-")) {
      return Optional.of(COMPOSE);
    }
    if (TOP_LEVEL_API_VERSION.matcher(content).find()) {
      return Optional.of(KUBERNETES);
    }
    if (TOP_LEVEL_SERVICES.matcher(content).find()) {
      return Optional.of(COMPOSE);
    }
    return Optional.empty();
  }

  /** Parses {@code dockerfile}, {@code compose} or {@code kubernetes} (any case). */
  public static FileKind parse(String value) {
    for (FileKind kind : values()) {
      if (kind.name().equalsIgnoreCase(value)
          || ("k8s".equalsIgnoreCase(value) && kind == KUBERNETES)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "unknown file kind '" + value + "': expected dockerfile, compose or kubernetes");
  }
}
