package io.portcullis.gateway.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the last stage of a Dockerfile decides about the running container: {@code ENTRYPOINT} and
 * {@code CMD} (exec form), {@code ENV}, {@code USER}, {@code WORKDIR}, {@code VOLUME} and the
 * {@code HEALTHCHECK} command, and what it {@code COPY}s in. Read from the file itself, so a test
 * of the image follows the file.
 */
public record ImageRuntime(
    List<String> entrypoint,
    List<String> cmd,
    Map<String, String> env,
    String user,
    String workdir,
    List<String> volumes,
    List<String> healthcheck,
    List<Copy> copies) {
  /** {@code COPY [--chown=OWNER] SOURCE... DEST}; {@code chown} is empty without the flag. */
  public record Copy(String chown, List<String> sources, String dest) {}

  /** The {@code COPY} whose one source's file name is {@code fileName}. */
  public Copy copyOf(String fileName) {
    return copies.stream()
        .filter(c -> c.sources().stream().anyMatch(src -> src.endsWith("/" + fileName)))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no COPY of " + fileName));
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  public static ImageRuntime read(Path dockerfile) throws IOException {
    List<String> instructions = instructions(dockerfile);
    int lastFrom = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (keyword(instructions.get(i)).equals("FROM")) {
        lastFrom = i;
      }
    }
    List<String> entrypoint = List.of();
    List<String> cmd = List.of();
    Map<String, String> env = new LinkedHashMap<>();
    String user = "0:0";
    String workdir = "/";
    List<String> volumes = new ArrayList<>();
    List<String> healthcheck = List.of();
    List<Copy> copies = new ArrayList<>();
    for (String line : instructions.subList(lastFrom + 1, instructions.size())) {
      String rest = line.substring(keyword(line).length()).strip();
      switch (keyword(line)) {
        case "ENTRYPOINT" -> entrypoint = execForm(rest, line);
        case "CMD" -> cmd = execForm(rest, line);
        case "ENV" -> {
          for (String pair : rest.split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
              throw new IllegalArgumentException("ENV in KEY=VALUE form only: " + line);
            }
            env.put(pair.substring(0, eq), pair.substring(eq + 1));
          }
        }
        case "USER" -> user = rest;
        case "WORKDIR" -> workdir = rest;
        case "VOLUME" -> volumes.addAll(execForm(rest, line));
        case "HEALTHCHECK" -> {
          int at = rest.indexOf("CMD ");
          healthcheck = execForm(rest.substring(at + 4).strip(), line);
        }
        case "COPY" -> {
          String chown = "";
          List<String> words = new ArrayList<>();
          for (String word : rest.split("\\s+")) {
            if (word.startsWith("--chown=")) {
              chown = word.substring("--chown=".length());
            } else if (!word.startsWith("--")) {
              words.add(word);
            }
          }
          copies.add(
              new Copy(chown, words.subList(0, words.size() - 1), words.get(words.size() - 1)));
        }
        default -> {
          // LABEL, COPY, EXPOSE...: nothing the running process sees
        }
      }
    }
    return new ImageRuntime(entrypoint, cmd, env, user, workdir, volumes, healthcheck, copies);
  }

  /** The file's instructions, continuation lines joined, comments and blank lines dropped. */
  public static List<String> instructions(Path dockerfile) throws IOException {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : Files.readAllLines(dockerfile)) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
        continue;
      }
      boolean continues = line.endsWith("\\");
      current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continues) {
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    return out;
  }

  private static String keyword(String instruction) {
    int space = instruction.indexOf(' ');
    return (space < 0 ? instruction : instruction.substring(0, space)).toUpperCase();
  }

  private static List<String> execForm(String json, String line) {
    try {
      return JSON.readValue(json, STRINGS);
    } catch (IOException e) {
      throw new IllegalArgumentException("not in exec (JSON array) form: " + line, e);
    }
  }
}
