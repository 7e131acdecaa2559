package io.portcullis.core.vet;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.json.StrictJson;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fields of an <a href="https://github.com/opencontainers/image-spec/blob/main/config.md">OCI
 * image config</a> (or Docker's, which shares them) that the vetting rules read.
 *
 * @param user {@code config.User}; empty when unset, which means root
 * @param env {@code config.Env} entries, {@code NAME=value}
 * @param exposedPorts {@code config.ExposedPorts} keys, e.g. {@code 8080/tcp}
 * @param labels {@code config.Labels}
 * @param created the top-level {@code created} time, if present and parseable
 */
public record ImageConfig(
    String user,
    List<String> env,
    List<String> exposedPorts,
    Map<String, String> labels,
    Optional<Instant> created) {

  public ImageConfig {
    env = List.copyOf(env);
    exposedPorts = List.copyOf(exposedPorts);
    labels = Map.copyOf(labels);
  }

  /**
   * Parses config bytes; {@link IllegalArgumentException} (never echoing content) when not JSON.
   */
  public static ImageConfig parse(byte[] json) {
    JsonNode root;
    try {
      root = StrictJson.readTree(json);
    } catch (StrictJson.InvalidJsonException e) {
      // the reason is not echoed: Jackson quotes content, and a config may carry secrets
      throw new IllegalArgumentException("image config is not valid JSON");
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("image config is not a JSON object");
    }
    JsonNode config = root.path("config");
    List<String> env = new ArrayList<>();
    config.path("Env").forEach(e -> env.add(e.asText()));
    List<String> ports = new ArrayList<>();
    config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
    Map<String, String> labels = new LinkedHashMap<>();
    config.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    Optional<Instant> created = Optional.empty();
    if (root.path("created").isTextual()) {
      try {
        created = Optional.of(Instant.parse(root.get("created").asText()));
      } catch (DateTimeParseException e) {
        created = Optional.empty();
      }
    }
    return new ImageConfig(config.path("User").asText(""), env, ports, labels, created);
  }
}
