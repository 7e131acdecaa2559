package io.portcullis.gateway.testing;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A registry that knows nothing but tag lists, and answers them in the order it was given, ignoring
 * {@code n} and {@code last} (as CNCF distribution 2.8 ignores them, but unsorted): for tests that
 * the gateway sorts and pages whatever order an upstream sends. {@code GET /v2/} answers 200, every
 * other path 404.
 */
public final class UnsortedTagsUpstream extends LoopbackFake {
  private final List<String> tags;

  private UnsortedTagsUpstream(List<String> tags) {
    this.tags = List.copyOf(tags);
  }

  /** Starts on a free loopback port, answering every repository's tag list with {@code tags}. */
  public static UnsortedTagsUpstream start(List<String> tags) {
    UnsortedTagsUpstream fake = new UnsortedTagsUpstream(tags);
    fake.listen();
    return fake;
  }

  @Override
  protected void answer(HttpServerRequest req) {
    var res = req.response().putHeader("Docker-Distribution-Api-Version", "registry/2.0");
    String path = req.path();
    if (path.equals("/v2/")) {
      res.putHeader("Content-Type", "application/json").end("{}");
    } else if (path.startsWith("/v2/") && path.endsWith("/tags/list")) {
      String name = path.substring(4, path.length() - "/tags/list".length());
      res.putHeader("Content-Type", "application/json")
          .end(
              new JsonObject()
                  .put("name", name)
                  .put("tags", new JsonArray(List.copyOf(tags)))
                  .encode());
    } else {
      notFound(res);
    }
  }
}
