package io.portcullis.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node of the policy document together with its key path, so every validation message can name
 * exactly where the problem is. Jackson's tree is used rather than data binding because binding
 * reports neither the path in our notation nor a hint about what to write instead.
 */
final class PolicyNode {
  private final JsonNode node;
  private final String path;
  private final String source;

  PolicyNode(JsonNode node, String path, String source) {
    this.node = node;
    this.path = path;
    this.source = source;
  }

  String path() {
    return path;
  }

  JsonNode raw() {
    return node;
  }

  PolicyException fail(String problem) {
    return new PolicyException(source, path, problem);
  }

  /** A failure at a path below this node, e.g. {@code .scopes[1]}. */
  PolicyException failAt(String subPath, String problem) {
    return new PolicyException(source, path + subPath, problem);
  }

  /** This node as a mapping with no keys beyond {@code known}. */
  PolicyNode object(Set<String> known) {
    if (!node.isObject()) {
      throw fail("must be a mapping with keys " + sorted(known) + ", found " + kind());
    }
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String key = entry.getKey();
      if (!known.contains(key)) {
        String hint = closest(key, known).map(k -> "did you mean '" + k + "'? ").orElse("");
        throw child(key).fail("unknown key; " + hint + "known keys here: " + sorted(known));
      }
    }
    return this;
  }

  Optional<PolicyNode> get(String key) {
    JsonNode value = node.get(key);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(child(key));
  }

  PolicyNode require(String key, String hint) {
    return get(key).orElseThrow(() -> child(key).fail("is required; " + hint));
  }

  /** The keys of this mapping, in document order. */
  List<String> keys() {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  PolicyNode child(String key) {
    String childPath = path.isEmpty() ? key : path + "." + key;
    return new PolicyNode(node.path(key), childPath, source);
  }

  String text() {
    if (!node.isTextual() || node.asText().isBlank()) {
      throw fail("must be a non-empty string, found " + kind());
    }
    return node.asText();
  }

  boolean bool() {
    if (!node.isBoolean()) {
      throw fail("must be true or false, found " + kind());
    }
    return node.booleanValue();
  }

  int integer() {
    if (!node.isInt()) {
      throw fail("must be a whole number, found " + kind());
    }
    return node.intValue();
  }

  /** The elements of a non-empty sequence. */
  List<PolicyNode> list(String hint) {
    if (!node.isArray()) {
      throw fail("must be a list, found " + kind() + "; " + hint);
    }
    if (node.isEmpty()) {
      throw fail("is empty; " + hint);
    }
    List<PolicyNode> items = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      items.add(new PolicyNode(node.get(i), path + "[" + i + "]", source));
    }
    return items;
  }

  /** The node's scalar value as written, for messages. */
  String describe() {
    return node.isTextual() ? "'" + node.asText() + "'" : node.toString();
  }

  private String kind() {
    if (node.isMissingNode() || node.isNull()) {
      return "nothing";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    return node.isTextual()
        ? "'" + node.asText() + "'"
        : node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  static String sorted(Set<String> names) {
    return String.join(", ", new TreeSet<>(names));
  }

  /**
   * The known key {@code key} was probably meant to be: within edit distance 2 (typos such as
   * {@code scope}), or sharing its first five letters (singulars such as {@code policy}).
   */
  static Optional<String> closest(String key, Set<String> known) {
    String lower = key.toLowerCase(Locale.ROOT);
    return known.stream()
        .filter(
            k -> {
              String candidate = k.toLowerCase(Locale.ROOT);
              return distance(candidate, lower) <= 2
                  || (lower.length() >= 5 && candidate.startsWith(lower.substring(0, 5)));
            })
        .min(Comparator.comparingInt((String k) -> distance(k, key)).thenComparing(k -> k));
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
