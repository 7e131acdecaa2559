package io.portcullis.gateway.upstream;

import static io.portcullis.gateway.testing.EventLoopContexts.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each event loop sends upstream requests through a client, and a pool, of its own. */
class LoopClientsTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void eachLoopHasItsOwnClientAndWorkersShareOne() throws Exception {
    LoopClients clients = new LoopClients(vertx, new HttpClientOptions(), 64, 2);
    List<Context> loops = EventLoopContexts.of(vertx, 2);
    HttpClientAgent a = on(loops.get(0), clients::current);
    HttpClientAgent b = on(loops.get(1), clients::current);
    assertNotSame(a, b, "two loops, two clients");
    assertSame(a, on(loops.get(0), clients::current), "a loop keeps its client");
    HttpClientAgent worker = vertx.executeBlocking(clients::current).await();
    assertSame(clients.current(), worker, "off the loops: one shared client");
    assertNotSame(a, worker);
    assertEquals(3, clients.size());
    assertEquals(32, clients.connectionsPerLoop(), "64 connections shared out between 2 loops");
    clients.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void aLoopNeverBorrowsAnotherLoopsConnection() throws Exception {
    // A server (on a Vertx of its own) answering with the client port of each request's
    // connection. One shared pool lent loop B the connection loop A had just used (its selector
    // takes the most recently used idle one, whatever its loop).
    Vertx upstream = Vertx.vertx();
    try {
      int port =
          upstream
              .createHttpServer()
              .requestHandler(
                  req -> req.response().end("" + req.connection().remoteAddress().port()))
              .listen(0, "127.0.0.1")
              .await()
              .actualPort();
      LoopClients clients = new LoopClients(vertx, new HttpClientOptions(), 64, 2);
      List<Context> loops = EventLoopContexts.of(vertx, 2);
      List<String> ports = new ArrayList<>();
      for (int i : new int[] {0, 1, 0, 1}) {
        ports.add(
            on(
                    loops.get(i),
                    () ->
                        clients
                            .current()
                            .request(io.vertx.core.http.HttpMethod.GET, port, "127.0.0.1", "/")
                            .compose(r -> r.send())
                            .compose(r -> r.body()))
                .toCompletionStage()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS)
                .toString());
      }
      assertNotEquals(ports.get(0), ports.get(1), "each loop on a connection of its own");
      assertEquals(ports.get(0), ports.get(2), "loop A reuses its connection");
      assertEquals(ports.get(1), ports.get(3), "loop B reuses its connection");
    } finally {
      upstream.close().await();
    }
  }

  @Test
  void manyLoopsStillGetAFewConnectionsEach() {
    assertEquals(
        LoopClients.MIN_PER_LOOP,
        new LoopClients(vertx, new HttpClientOptions(), 64, 64).connectionsPerLoop());
  }
}
