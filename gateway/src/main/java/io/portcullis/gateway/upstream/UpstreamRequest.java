package io.portcullis.gateway.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.ReadStream;
import java.util.List;

/**
 * One request to an upstream. {@code uri} is a path with query on the upstream, or an absolute URL
 * (an upload location on another host). {@code scopes} are the token-protocol scopes it needs, e.g.
 * {@code repository:library/alpine:pull}.
 */
public record UpstreamRequest(
    HttpMethod method, String uri, MultiMap headers, List<String> scopes, Body body) {

  public UpstreamRequest {
    scopes = List.copyOf(scopes);
  }

  public static UpstreamRequest pull(HttpMethod method, String uri, MultiMap headers, String repo) {
    return new UpstreamRequest(method, uri, headers, List.of(scope(repo, "pull")), Body.NONE);
  }

  public static String scope(String repository, String actions) {
    return "repository:" + repository + ":" + actions;
  }

  /** A request body: none, bytes that can be sent again, or a one-shot stream. */
  public sealed interface Body {
    Body NONE = new Empty();

    default boolean replayable() {
      return true;
    }
  }

  public record Empty() implements Body {}

  public record Bytes(Buffer buffer) implements Body {}

  /** A client's body streamed through with backpressure; it cannot be replayed after a 401. */
  public record Stream(ReadStream<Buffer> stream) implements Body {
    @Override
    public boolean replayable() {
      return false;
    }
  }
}
