package io.portcullis.gateway.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the {@code robot create|list|revoke} tests run against: a gateway config whose only upstream
 * is never reached, with some roles and the robot store in {@code data/robots.json}.
 */
public final class RobotCommandConfig {
  /** A role that may pull and push under {@code team-a/}. */
  public static final String TEAM_A_DEV =
      "team-a-dev: [{repositories: ['team-a/**'], actions: [pull, push]}]";

  /** A role that may pull everything. */
  public static final String READER = "reader: [{repositories: ['**'], actions: [pull]}]";

  private RobotCommandConfig() {}

  /** The robot store of the config {@link #write} makes in {@code dir}. */
  public static Path robots(Path dir) {
    return dir.resolve("data/robots.json");
  }

  /** Writes {@code dir/gateway.yaml} with {@code roles} (YAML, one a line); returns its path. */
  public static Path write(Path dir, String... roles) throws IOException {
    return Files.writeString(
        dir.resolve("gateway.yaml"),
        """
        dataDir: %s
        upstreams:
          - {name: internal, url: 'http://127.0.0.1:1', prefix: ''}
        auth:
          roles:
            %s
          robots: {file: %s}
        """
            .formatted(dir.resolve("data"), String.join("\n    ", roles), robots(dir)));
  }

  /** {@code robot create --config CONFIG --name NAME --role ROLE --ttl TTL}, then {@code more}. */
  public static String[] create(Path config, String name, String role, String ttl, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "robot",
                "create",
                "--config",
                config.toString(),
                "--name",
                name,
                "--role",
                role,
                "--ttl",
                ttl));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }
}
