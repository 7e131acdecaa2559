package io.portcullis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.time.Durations;
import io.portcullis.gateway.auth.InvalidRobotFileException;
import io.portcullis.gateway.auth.RobotRecord;
import io.portcullis.gateway.auth.RobotStore;
import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.RobotsConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis-gateway robot create|list|revoke}: robot (CI) accounts in the robots file named
 * by the configuration's {@code auth.robots.file}. A running gateway sees changes within a second.
 * Exit codes: 0 done, 1 no such robot, 2 usage or configuration error, 3 the robots file cannot be
 * read or written.
 */
@Command(
    name = "robot",
    mixinStandardHelpOptions = true,
    description = "Create, list and revoke robot (CI) accounts.",
    subcommands = {
      RobotCommand.Create.class,
      RobotCommand.ListRobots.class,
      RobotCommand.Revoke.class
    })
public final class RobotCommand implements Callable<Integer> {
  static final int NOT_FOUND = 1;
  static final int USAGE = 2;
  static final int FILE_ERROR = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** {@code --config FILE}, and the store and roles it names. */
  static final class ConfigOption {
    @Option(
        names = "--config",
        required = true,
        paramLabel = "FILE",
        description = "Gateway YAML configuration; its auth.robots.file is used.")
    Path config;

    AuthConfig auth() {
      GatewayConfig cfg = ConfigLoader.load(config);
      AuthConfig auth =
          cfg.auth().orElseThrow(() -> new ConfigException("no auth section in " + config));
      if (auth.robots().isEmpty()) {
        throw new ConfigException("auth.robots.file: is not set in " + config);
      }
      return auth;
    }

    RobotStore store(AuthConfig auth) {
      return RobotStore.open(auth.robots().map(RobotsConfig::file).orElseThrow());
    }
  }

  /** Runs {@code body}, turning the failures every subcommand shares into exit codes. */
  abstract static class Subcommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigOption options;

    abstract int run(AuthConfig auth, RobotStore store) throws IOException;

    @Override
    public final Integer call() {
      try {
        AuthConfig auth = options.auth();
        return run(auth, options.store(auth));
      } catch (ConfigException e) {
        return fail(USAGE, "config error: " + e.getMessage());
      } catch (IllegalArgumentException e) {
        return fail(USAGE, e.getMessage());
      } catch (InvalidRobotFileException e) {
        return fail(FILE_ERROR, e.getMessage());
      } catch (IOException e) {
        return fail(FILE_ERROR, "cannot write the robots file: " + e);
      }
    }

    int fail(int code, String message) {
      err().println("portcullis-gateway robot " + spec.name() + ": " + message);
      return code;
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    static String json(Map<String, Object> fields) {
      try {
        return JSON.writeValueAsString(fields);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write JSON", e);
      }
    }

    /** A robot as listed: everything but the hash. */
    static Map<String, Object> listed(RobotRecord r) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", r.name());
      m.put("username", r.username());
      m.put("roles", r.roles());
      m.put("scopes", r.scopes());
      m.put("createdAt", r.createdAt().toString());
      m.put("expiresAt", r.expiresAt().toString());
      m.put("revoked", r.revoked());
      m.put("status", r.status(Instant.now()).name().toLowerCase());
      return m;
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Creates a robot and prints {\"name\",\"username\",\"secret\",\"expiresAt\"} as one JSON"
            + " object.",
        "The secret is shown only here: the robots file keeps its bcrypt hash."
      })
  static final class Create extends Subcommand {
    @Option(names = "--name", required = true, description = "e.g. ci-team-a ([a-z0-9-]).")
    String name;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "A role of auth.roles; repeat for more.")
    List<String> roles = new ArrayList<>();

    @Option(
        names = "--scope",
        paramLabel = "GLOB",
        description = "Narrow the roles to repositories matching GLOB ('*' one segment, '**' any).")
    List<String> scopes = new ArrayList<>();

    @Option(
        names = "--ttl",
        required = true,
        paramLabel = "DURATION",
        description = "Lifetime, e.g. 24h, 30d.")
    String ttl;

    @Override
    int run(AuthConfig auth, RobotStore store) throws IOException {
      Duration lifetime = Durations.parse(ttl);
      for (String role : roles) {
        if (!auth.roles().containsKey(role)) {
          return fail(
              USAGE,
              "role '" + role + "' is not in auth.roles (known: " + auth.roles().keySet() + ")");
        }
      }
      RobotStore.CreatedRobot created = store.create(name, roles, scopes, lifetime);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", created.robot().name());
      m.put("username", created.robot().username());
      m.put("secret", created.secret());
      m.put("expiresAt", created.robot().expiresAt().toString());
      out().println(json(m));
      out().flush();
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Prints one JSON line per robot (never a secret or hash).")
  static final class ListRobots extends Subcommand {
    @Override
    int run(AuthConfig auth, RobotStore store) {
      for (RobotRecord r : store.list()) {
        out().println(json(listed(r)));
      }
      out().flush();
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revokes a robot: a running gateway refuses it within a second.")
  static final class Revoke extends Subcommand {
    @Option(names = "--name", required = true)
    String name;

    @Override
    int run(AuthConfig auth, RobotStore store) throws IOException {
      RobotRecord.checkName(name);
      if (!store.revoke(name)) {
        return fail(NOT_FOUND, "no robot named '" + name + "'");
      }
      store.list().stream()
          .filter(r -> r.name().equals(name))
          .forEach(r -> out().println(json(listed(r))));
      out().flush();
      return 0;
    }
  }
}
