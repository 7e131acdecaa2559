package io.portcullis.gateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads an Apache htpasswd file of bcrypt entries ({@code user:$2y$10$...}), the only hash Docker's
 * distribution accepts too. Problems name the line, never its content: a hash is a secret.
 */
public final class Htpasswd {
  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}");

  private Htpasswd() {}

  /** User name to bcrypt hash; a {@link ConfigException} naming {@code key} when unusable. */
  public static Map<String, String> read(Path file, String key) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    Map<String, String> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String where = key + ": " + file + " line " + (i + 1);
      if (colon <= 0 || !BCRYPT.matcher(line.substring(colon + 1)).matches()) {
        throw new ConfigException(
            where
                + " is not 'user:bcrypt-hash' (make it with portcullis-gateway htpasswd, or htpasswd -B)");
      }
      if (users.putIfAbsent(line.substring(0, colon), line.substring(colon + 1)) != null) {
        throw new ConfigException(where + " repeats a user of an earlier line");
      }
    }
    return users;
  }
}
