package io.portcullis.core.pin;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds {@code image:} values in Compose files and Kubernetes manifests. Jackson YAML reads the
 * structure (multi-document streams included) and says where each value starts; the scanner then
 * checks that the exact characters there spell the value, plain or inside quotes, so the rewriter
 * can replace those characters and nothing else. Values it cannot replace in place (block scalars,
 * escapes, values folded over lines) are reported, never re-serialised.
 */
final class YamlImageScanner {

  private static final YAMLFactory YAML = new YAMLFactory();
  private static final Set<String> CONTAINER_LISTS =
      Set.of("containers", "initContainers", "ephemeralContainers");

  /**
   * {@code image} of an item of a containers, initContainers or ephemeralContainers list, at any
   * depth (Pod, Deployment, CronJob, List, ...).
   */
  static final Predicate<List<Object>> KUBERNETES =
      path -> {
        int n = path.size();
        return n >= 3
            && "image".equals(path.get(n - 1))
            && path.get(n - 2) instanceof Integer
            && CONTAINER_LISTS.contains(path.get(n - 3));
      };

  /**
   * {@code services.<name>.image}, and {@code image} anywhere under a top-level {@code x-}
   * extension, where anchors shared by services are usually kept.
   */
  static final Predicate<List<Object>> COMPOSE =
      path -> {
        int n = path.size();
        if (n == 0 || !"image".equals(path.get(n - 1))) {
          return false;
        }
        Object top = path.get(0);
        return n == 3 && "services".equals(top)
            || top instanceof String s && s.startsWith("x-") && n >= 2;
      };

  private final String text;
  private final LineIndex lines;
  private final Predicate<List<Object>> isImage;

  private YamlImageScanner(String text, Predicate<List<Object>> isImage) {
    this.text = text;
    this.lines = LineIndex.ofYaml(text);
    this.isImage = isImage;
  }

  static Scan scan(String text, Predicate<List<Object>> isImage) {
    return new YamlImageScanner(text, isImage).scan();
  }

  private Scan scan() {
    Scan scan = Scan.empty();
    try (JsonParser parser = YAML.createParser(text)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.VALUE_STRING && isImage.test(path(parser.getParsingContext()))) {
          locate(parser.getText(), parser.currentTokenLocation(), scan);
        }
      }
    } catch (IOException e) {
      JsonLocation where =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
              ? j.getLocation()
              : null;
      int line = where == null ? 1 : Math.max(1, where.getLineNr());
      String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      scan.failures().add(new Note(line, "", "not valid YAML: " + message));
    }
    return scan;
  }

  /** Root-first path of keys and list indexes to the current value. */
  private static List<Object> path(JsonStreamContext context) {
    List<Object> path = new ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inObject()) {
        path.add(c.getCurrentName());
      } else if (c.inArray()) {
        path.add(c.getCurrentIndex());
      }
    }
    Collections.reverse(path);
    return path;
  }

  private void locate(String value, JsonLocation location, Scan scan) {
    int line = location.getLineNr();
    if (line < 1 || line > lines.lineCount()) {
      scan.failures().add(new Note(Math.max(1, line), value, "cannot locate this image value"));
      return;
    }
    int lineStart = lines.start(line);
    int offset;
    try {
      // Jackson's (SnakeYAML's) columns count code points, not UTF-16 chars
      offset = text.offsetByCodePoints(lineStart, location.getColumnNr() - 1);
    } catch (IndexOutOfBoundsException e) {
      scan.failures().add(new Note(line, value, "cannot locate this image value"));
      return;
    }
    offset = skipNodeProperties(offset);
    char first = offset < text.length() ? text.charAt(offset) : '\0';
    if (first == '*') {
      // Jackson reports an alias as its anchor's name; the anchored value is pinned where it is
      scan.notes()
          .add(
              new Note(
                  line,
                  "*" + value,
                  "an alias; not rewritten here (pin the value its anchor names)"));
      return;
    }
    int start = first == '"' || first == '\'' ? offset + 1 : offset;
    boolean closed =
        start == offset
            || start + value.length() < text.length()
                && text.charAt(start + value.length()) == first;
    if (!value.isEmpty() && text.startsWith(value, start) && closed) {
      scan.images().add(new ImageOccurrence(start, value));
    } else {
      scan.failures()
          .add(
              new Note(
                  line,
                  value,
                  "cannot rewrite in place (block scalar, escapes or a value over several lines);"
                      + " write it as a one-line image reference"));
    }
  }

  /** Skips an anchor ({@code &name}) or tag ({@code !!str}) before the value, as Jackson does. */
  private int skipNodeProperties(int offset) {
    int i = offset;
    while (i < text.length() && (text.charAt(i) == '&' || text.charAt(i) == '!')) {
      while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
        i++;
      }
    }
    return i;
  }
}
