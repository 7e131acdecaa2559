package io.portcullis.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.time.Durations;
import io.portcullis.gateway.auth.InvalidRobotFileException;
import io.portcullis.gateway.auth.RobotAccounts;
import io.portcullis.gateway.auth.RobotFileAccounts;
import io.portcullis.gateway.auth.RobotRecord;
import io.portcullis.gateway.auth.RobotStore;
import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.RobotsConfig;
import io.portcullis.gateway.state.PostgresState;
import io.portcullis.gateway.state.StateUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis-gateway robot create|list|revoke}: robot (CI) accounts in the store the
 * configuration's {@code auth.robots} names: the robots file ({@code file: F}) or the shared state
 * in PostgreSQL ({@code store: state}). Running gateways see changes within a second. Exit codes: 0
 * done, 1 no such robot, 2 usage or configuration error, 3 the store cannot be read or written (the
 * file, or the database unreachable).
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
  static final int STORE_ERROR = 3;

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
        description =
            "Gateway YAML configuration; its auth.robots names the store (a file, or the shared"
                + " state in PostgreSQL).")
    Path config;

    GatewayConfig load() {
      GatewayConfig cfg = ConfigLoader.load(config);
      AuthConfig auth =
          cfg.auth().orElseThrow(() -> new ConfigException("no auth section in " + config));
      if (auth.robots().isEmpty()) {
        throw new ConfigException(
            "auth.robots: is not set in " + config + " (file: F, or store: state)");
      }
      return cfg;
    }
  }

  /**
   * The store a config names, opened for one command: the robots file, or the shared state (its
   * schema migrated as a replica would).
   */
  private static RobotAccounts open(Vertx vertx, GatewayConfig cfg, List<AutoCloseable> opened)
      throws IOException {
    RobotsConfig robots = cfg.auth().flatMap(AuthConfig::robots).orElseThrow();
    if (!robots.shared()) {
      return new RobotFileAccounts(vertx, RobotStore.open(robots.file().orElseThrow()));
    }
    PostgresState state = await(PostgresState.open(vertx, cfg.state().orElseThrow().postgres()));
    opened.add(state::shutdown);
    return state.robots();
  }

  /** The result of {@code future}, its failure rethrown as it is; a minute at most. */
  static <T> T await(Future<T> future) throws IOException {
    try {
      return future.toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause().toString(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("no answer within a minute", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Runs {@code body}, turning the failures every subcommand shares into exit codes. */
  abstract static class Subcommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigOption options;

    abstract int run(AuthConfig auth, RobotAccounts store) throws IOException;

    @Override
    public final Integer call() {
      Vertx vertx = null;
      List<AutoCloseable> opened = new ArrayList<>();
      try {
        GatewayConfig cfg = options.load();
        vertx = Vertx.vertx();
        return run(cfg.auth().orElseThrow(), open(vertx, cfg, opened));
      } catch (ConfigException e) {
        return fail(USAGE, "config error: " + e.getMessage());
      } catch (IllegalArgumentException e) {
        return fail(USAGE, e.getMessage());
      } catch (InvalidRobotFileException | StateUnavailableException e) {
        return fail(STORE_ERROR, e.getMessage());
      } catch (IOException e) {
        return fail(STORE_ERROR, "cannot write the robots file: " + e);
      } catch (RuntimeException e) {
        // e.g. the database refused the login or its schema is newer: one line, not a trace
        return fail(STORE_ERROR, "robot store error: " + e.getMessage());
      } finally {
        for (AutoCloseable c : opened) {
          try {
            c.close();
          } catch (Exception e) {
            // closing after the answer was printed: nothing left to tell
          }
        }
        if (vertx != null) {
          vertx.close();
        }
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
    int run(AuthConfig auth, RobotAccounts store) throws IOException {
      Duration lifetime = Durations.parse(ttl);
      for (String role : roles) {
        if (!auth.roles().containsKey(role)) {
          return fail(
              USAGE,
              "role '" + role + "' is not in auth.roles (known: " + auth.roles().keySet() + ")");
        }
      }
      RobotStore.CreatedRobot created = await(store.create(name, roles, scopes, lifetime));
      out().println(json(created.shown()));
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
    int run(AuthConfig auth, RobotAccounts store) throws IOException {
      for (RobotRecord r : await(store.list())) {
        out().println(json(r.listed(Instant.now())));
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
    int run(AuthConfig auth, RobotAccounts store) throws IOException {
      RobotRecord.checkName(name);
      if (!await(store.revoke(name))) {
        return fail(NOT_FOUND, "no robot named '" + name + "'");
      }
      await(store.list()).stream()
          .filter(r -> r.name().equals(name))
          .forEach(r -> out().println(json(r.listed(Instant.now()))));
      out().flush();
      return 0;
    }
  }
}
