package io.portcullis.gateway;

import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar portcullis-gateway.jar [--config FILE]}: runs the gateway until stopped. */
@Command(
    name = "portcullis-gateway",
    mixinStandardHelpOptions = true,
    version = "portcullis-gateway 0.1.0",
    description = "Supply-chain trust gateway: an OCI registry proxy in front of your registries.",
    subcommands = {
      RobotCommand.class,
      HealthcheckCommand.class,
      HtpasswdCommand.class,
      TokenKeyCommand.class
    })
public final class Main implements Callable<Integer> {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML configuration; without it the embedded defaults are used.")
  Path config;

  @Option(names = "--check-config", description = "Validate the configuration and exit.")
  boolean checkOnly;

  @Override
  public Integer call() throws InterruptedException {
    GatewayConfig cfg;
    try {
      cfg = config == null ? ConfigLoader.loadDefault() : ConfigLoader.load(config);
    } catch (ConfigException e) {
      System.err.println("portcullis-gateway: config error: " + e.getMessage());
      return 2;
    }
    // Before the first log line: logback reads this when it initialises (see logback.xml).
    System.setProperty("portcullis.log.format", cfg.logging().format().key());
    if (checkOnly) {
      System.out.println("configuration OK: " + cfg.upstreams().size() + " upstream(s)");
      return 0;
    }
    Vertx vertx = Vertx.vertx(vertxOptions(cfg.server()));
    Gateway gateway;
    try {
      gateway = Gateway.start(vertx, cfg).await();
    } catch (ConfigException e) {
      System.err.println("portcullis-gateway: config error: " + e.getMessage());
      vertx.close();
      return 2;
    } catch (RuntimeException e) {
      System.err.println("portcullis-gateway: cannot start: " + e.getMessage());
      vertx.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // Each step is bounded: a future completed on an event loop that vertx.close()
                  // has already stopped never fires, and an endless hook keeps the JVM alive.
                  // Stop accepting, let requests in flight finish within server.shutdownTimeout.
                  Duration grace = cfg.server().shutdownTimeout();
                  try {
                    gateway.close(grace).await(grace.toMillis() + 5000, TimeUnit.MILLISECONDS);
                  } catch (TimeoutException | RuntimeException e) {
                    System.err.println("portcullis-gateway: stopping without a clean close");
                  }
                  try {
                    vertx.close().await(5, TimeUnit.SECONDS);
                  } catch (TimeoutException | RuntimeException e) {
                    // exiting anyway
                  }
                  stopped.countDown();
                },
                "portcullis-shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * Vert.x without its class-path file resolver: the gateway serves no class-path resources, and
   * that resolver's cache directory is deleted by a JVM shutdown hook of its own as soon as SIGTERM
   * arrives (hooks run concurrently with ours), after which every {@code vertx.fileSystem()} call
   * fails with "cacheDir has been removed". A cache fill committed during a graceful shutdown was
   * then lost, and a restarted gateway could not serve it while the upstream was down.
   *
   * <p>{@code server.eventLoops} event loops, so each client listener gets a loop of its own and no
   * loop idles: with Vert.x's default of twice the processors, half the loops had no listener,
   * while the rest of the gateway (admin listener, timers) needs no loop of its own.
   */
  public static VertxOptions vertxOptions(ServerConfig server) {
    return new VertxOptions()
        .setEventLoopPoolSize(server.eventLoops())
        .setPreferNativeTransport(server.nativeTransport())
        .setFileSystemOptions(
            new FileSystemOptions()
                .setClassPathResolvingEnabled(false)
                .setFileCachingEnabled(false));
  }

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }
}
