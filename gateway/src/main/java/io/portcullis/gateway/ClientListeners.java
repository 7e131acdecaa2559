package io.portcullis.gateway;

import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.config.TlsFiles;
import io.portcullis.gateway.http.ConnectionDeadlines;
import io.portcullis.gateway.http.ErrorResponder;
import io.portcullis.gateway.http.ListenerOptions;
import io.portcullis.gateway.http.RequestObserver;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client API served by {@code server.eventLoops} HTTP servers on one host and port, each
 * created on its own event-loop context, so Vert.x hands each accepted connection to one of them in
 * turn and its I/O, TLS and blob hashing run on that server's loop. A single server created outside
 * any context would bind every connection to one loop, leaving the other cores idle.
 *
 * <p>The servers are the instances of one verticle deployment: if any cannot listen, Vert.x fails
 * the deployment and undeploys (closes) the others.
 */
final class ClientListeners {
  private static final Logger LOG = LoggerFactory.getLogger(ClientListeners.class);

  private final Vertx vertx;
  private final List<HttpServer> servers;
  private final String deployment;

  private ClientListeners(Vertx vertx, List<HttpServer> servers, String deployment) {
    this.vertx = vertx;
    this.servers = servers;
    this.deployment = deployment;
  }

  /**
   * Listens with {@code server.eventLoops()} servers sharing {@code observer} and {@code
   * deadlines}; fails (with every server that did start closed again) if any cannot listen.
   */
  static Future<ClientListeners> start(
      Vertx vertx,
      ServerConfig server,
      Optional<TlsFiles.Material> tls,
      RequestObserver observer,
      ConnectionDeadlines deadlines) {
    List<HttpServer> servers = new CopyOnWriteArrayList<>();
    List<String> loops = new CopyOnWriteArrayList<>();
    Future<String> deployed;
    if (server.port() == 0 && server.eventLoops() > 1) {
      // Vert.x shares a port between the servers of one Vertx that listen on the same host and
      // port, but not port 0: each server would get a free port of its own. So a free port is
      // picked first and every server listens on it; should another process take it in between,
      // another is picked.
      deployed = onFreePort(vertx, server, tls, observer, deadlines, servers, loops, 3);
    } else {
      deployed = deploy(vertx, server, tls, observer, deadlines, servers, loops);
    }
    return deployed.map(
        deployment -> {
          long distinct = loops.stream().distinct().count();
          if (distinct < server.eventLoops()) {
            // Vert.x has fewer event loops than asked for (its eventLoopPoolSize): servers
            // on one loop share it, which works but does not spread the load.
            LOG.warn(
                "server.eventLoops is {} but the client listeners run on only {} event loops",
                server.eventLoops(),
                distinct);
          }
          LOG.debug("client listeners on {}", loops.stream().sorted().toList());
          return new ClientListeners(vertx, servers, deployment);
        });
  }

  private static Future<String> onFreePort(
      Vertx vertx,
      ServerConfig server,
      Optional<TlsFiles.Material> tls,
      RequestObserver observer,
      ConnectionDeadlines deadlines,
      List<HttpServer> servers,
      List<String> loops,
      int attempts) {
    return vertx
        .executeBlocking(() -> freePort(server.host()), false)
        .compose(
            port -> deploy(vertx, server.withPort(port), tls, observer, deadlines, servers, loops))
        .recover(
            err ->
                attempts > 1 && err instanceof BindException
                    ? onFreePort(
                        vertx, server, tls, observer, deadlines, servers, loops, attempts - 1)
                    : Future.failedFuture(err));
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, 0));
      return socket.getLocalPort();
    }
  }

  private static Future<String> deploy(
      Vertx vertx,
      ServerConfig server,
      Optional<TlsFiles.Material> tls,
      RequestObserver observer,
      ConnectionDeadlines deadlines,
      List<HttpServer> servers,
      List<String> loops) {
    return vertx.deployVerticle(
        () ->
            new VerticleBase() {
              @Override
              public Future<?> start() {
                loops.add(Thread.currentThread().getName());
                return vertx
                    .createHttpServer(ListenerOptions.of(server, tls))
                    .connectionHandler(deadlines)
                    .invalidRequestHandler(ErrorResponder::invalidRequest)
                    .requestHandler(observer)
                    .listen()
                    .onSuccess(servers::add);
              }
            },
        new DeploymentOptions().setInstances(server.eventLoops()));
  }

  /**
   * Hands every listener new TLS options (a renewed certificate): connections open keep theirs, new
   * ones get the new one. Fails if any listener refuses them.
   */
  Future<Void> updateTls(ServerSSLOptions options) {
    return Future.all(servers.stream().map(s -> s.updateSSLOptions(options.copy())).toList())
        .mapEmpty();
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
    return Future.join(
            servers.stream().map(s -> s.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS)).toList())
        .transform(v -> vertx.undeploy(deployment));
  }
}
