package io.portcullis.gateway;

import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.http.ConnectionDeadlines;
import io.portcullis.gateway.http.ErrorResponder;
import io.portcullis.gateway.http.ListenerOptions;
import io.portcullis.gateway.http.RequestObserver;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client API served by {@code server.eventLoops} HTTP servers on one host and port, each
 * created on its own event-loop context, so Vert.x hands each accepted connection to one of them in
 * turn and its I/O, TLS and blob hashing run on that server's loop. A single server created outside
 * any context would bind every connection to one loop, leaving the other cores idle.
 *
 * <p>The first server listens on the configured port; the others join it on its actual port, so
 * port 0 (tests) still yields one shared port rather than one random port per server.
 */
final class ClientListeners {
  private static final Logger LOG = LoggerFactory.getLogger(ClientListeners.class);

  private final Vertx vertx;
  private final List<HttpServer> servers;
  private final List<String> deployments;

  private ClientListeners(Vertx vertx, List<HttpServer> servers, List<String> deployments) {
    this.vertx = vertx;
    this.servers = servers;
    this.deployments = deployments;
  }

  /**
   * Listens with {@code server.eventLoops()} servers sharing {@code observer} and {@code
   * deadlines}; fails (with every server that did start closed again) if any cannot listen.
   */
  static Future<ClientListeners> start(
      Vertx vertx, ServerConfig server, RequestObserver observer, ConnectionDeadlines deadlines) {
    List<HttpServer> servers = new CopyOnWriteArrayList<>();
    List<String> deployments = new CopyOnWriteArrayList<>();
    List<String> loops = new CopyOnWriteArrayList<>();
    ClientListeners listeners = new ClientListeners(vertx, servers, deployments);
    return deploy(vertx, server, observer, deadlines, 1, servers, loops)
        .compose(
            first -> {
              deployments.add(first);
              int port = servers.get(0).actualPort();
              if (server.eventLoops() == 1) {
                return Future.succeededFuture();
              }
              return deploy(
                      vertx,
                      server.withPort(port),
                      observer,
                      deadlines,
                      server.eventLoops() - 1,
                      servers,
                      loops)
                  .map(
                      rest -> {
                        deployments.add(rest);
                        return null;
                      });
            })
        .recover(err -> listeners.undeploy().transform(v -> Future.failedFuture(err)))
        .map(
            v -> {
              long distinct = loops.stream().distinct().count();
              if (distinct < server.eventLoops()) {
                // Vert.x has fewer event loops than asked for (its eventLoopPoolSize): servers
                // on one loop share it, which works but does not spread the load.
                LOG.warn(
                    "server.eventLoops is {} but the client listeners run on only {} event loops",
                    server.eventLoops(),
                    distinct);
              }
              LOG.debug(
                  "client listeners on {}", loops.stream().sorted().collect(Collectors.toList()));
              return listeners;
            });
  }

  private static Future<String> deploy(
      Vertx vertx,
      ServerConfig server,
      RequestObserver observer,
      ConnectionDeadlines deadlines,
      int instances,
      List<HttpServer> servers,
      List<String> loops) {
    return vertx.deployVerticle(
        () ->
            new VerticleBase() {
              @Override
              public Future<?> start() {
                loops.add(Thread.currentThread().getName());
                return vertx
                    .createHttpServer(ListenerOptions.of(server))
                    .connectionHandler(deadlines)
                    .invalidRequestHandler(ErrorResponder::invalidRequest)
                    .requestHandler(observer)
                    .listen()
                    .onSuccess(servers::add);
              }
            },
        new DeploymentOptions().setInstances(instances));
  }

  /** The port every listener shares. */
  int port() {
    return servers.get(0).actualPort();
  }

  /** How many servers listen (one per event loop). */
  int size() {
    return servers.size();
  }

  /**
   * Stops accepting on every listener, gives requests in flight up to {@code grace} to finish, then
   * closes what is left.
   */
  Future<Void> shutdown(Duration grace) {
    return Future.join(servers.stream().map(s -> s.shutdown(grace)).toList())
        .transform(v -> undeploy());
  }

  private Future<Void> undeploy() {
    return Future.join(deployments.stream().map(vertx::undeploy).toList()).mapEmpty();
  }
}
