package io.portcullis.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/<name>/tags/list}, following {@code Link: <…>; rel="next"} pages (<a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags">listing
 * tags</a>).
 */
final class TagLister {
  private static final long MAX_PAGE_BYTES = 4L * 1024 * 1024;
  private static final int MAX_PAGES = 1000;
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  private final RegistryTransport transport;

  TagLister(RegistryTransport transport) {
    this.transport = transport;
  }

  List<Tag> list(RemoteRepository repo) {
    String what = "tag list of " + repo;
    List<Tag> tags = new ArrayList<>();
    String target = "/v2/" + repo.name() + "/tags/list";
    for (int page = 0; target != null; page++) {
      if (page >= MAX_PAGES) {
        throw new RegistryProtocolException(what + ": more than " + MAX_PAGES + " pages");
      }
      HttpResponse<InputStream> response =
          transport.send(RegistryTransport.Call.get(repo, target, what));
      if (response.statusCode() != 200) {
        throw ResponseBodies.failure(response, what);
      }
      byte[] body = ResponseBodies.read(response, MAX_PAGE_BYTES, what);
      try {
        for (JsonNode tag : ManifestCodec.mapper().readTree(body).path("tags")) {
          if (Tag.isValid(tag.asText())) {
            tags.add(Tag.of(tag.asText()));
          }
        }
      } catch (IOException e) {
        throw new RegistryProtocolException(what + ": body is not JSON");
      }
      target = nextPage(response).orElse(null);
    }
    return tags;
  }

  static Optional<String> nextPage(HttpResponse<?> response) {
    for (String link : response.headers().allValues("Link")) {
      Matcher m = NEXT.matcher(link);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }
}
