package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A delegation of targets metadata (<a
 * href="https://theupdateframework.github.io/specification/latest/#delegations">spec 4.5</a>):
 * which target paths the role {@code name} is trusted for, by path patterns or hash prefixes, and
 * whether it is terminating.
 *
 * @param format the conventions it was read under, which say how {@code paths} match
 */
public record DelegatedRole(
    String name,
    RootMetadata.Role keys,
    boolean terminating,
    List<String> paths,
    List<String> pathHashPrefixes,
    TufFormat format) {

  public DelegatedRole {
    paths = List.copyOf(paths);
    pathHashPrefixes = List.copyOf(pathHashPrefixes);
  }

  static DelegatedRole parse(String file, JsonNode node, String delegator, TufFormat format)
      throws TufException.Malformed {
    if (node == null || !node.isObject()) {
      throw new TufException.Malformed(file + ": a delegated role must be an object");
    }
    String name = SignedMetadata.text(file, node, "name");
    String where = file + " delegated role " + name;
    if (!format.validDelegatedName(delegator, name)) {
      throw new TufException.Malformed(
          where
              + (format.dialect() == TufFormat.Dialect.TUF
                  ? ": the name must be a plain file name and no top-level role's"
                  : ": the name must be " + delegator + "/<name>"));
    }
    List<String> paths = strings(where, node.get("paths"));
    List<String> prefixes = strings(where, node.get("path_hash_prefixes"));
    if (node.has("paths") == node.has("path_hash_prefixes")) {
      throw new TufException.Malformed(where + " needs exactly one of paths, path_hash_prefixes");
    }
    return new DelegatedRole(
        name,
        Signatures.role(where, node),
        node.path("terminating").asBoolean(false),
        paths,
        prefixes,
        format);
  }

  private static List<String> strings(String where, JsonNode array) throws TufException.Malformed {
    List<String> out = new ArrayList<>();
    if (array == null) {
      return out;
    }
    if (!array.isArray()) {
      throw new TufException.Malformed(where + ": paths must be an array");
    }
    for (JsonNode item : array) {
      if (!item.isTextual()) {
        throw new TufException.Malformed(where + ": paths must be strings");
      }
      out.add(item.textValue());
    }
    return out;
  }

  /**
   * True when {@code target} is in this role's scope: a pattern matches it segment by segment
   * ({@code *} and {@code ?} never cross a {@code /}, as python-tuf matches; for Notary, a path is
   * a prefix), or the SHA-256 of the path starts with a prefix.
   */
  public boolean delegates(String target) {
    for (String pattern : paths) {
      if (format.pathCovers(pattern, target)) {
        return true;
      }
    }
    if (!pathHashPrefixes.isEmpty()) {
      String hash =
          HexFormat.of()
              .formatHex(Hashes.digest("SHA-256", target.getBytes(StandardCharsets.UTF_8)));
      for (String prefix : pathHashPrefixes) {
        if (hash.startsWith(prefix)) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean matches(String pattern, String target) {
    String[] patternParts = pattern.split("/", -1);
    String[] targetParts = target.split("/", -1);
    if (patternParts.length != targetParts.length) {
      return false;
    }
    for (int i = 0; i < patternParts.length; i++) {
      if (!glob(patternParts[i]).matcher(targetParts[i]).matches()) {
        return false;
      }
    }
    return true;
  }

  private static Pattern glob(String segment) {
    StringBuilder regex = new StringBuilder();
    for (char c : segment.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
