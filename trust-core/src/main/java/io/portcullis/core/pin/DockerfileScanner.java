package io.portcullis.core.pin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the base images of a Dockerfile's {@code FROM [--platform=...] image [AS name]}
 * instructions, following the <a href="https://docs.docker.com/reference/dockerfile/">Dockerfile
 * reference</a>: parser directives ({@code # escape=`}), comments, line continuations, and
 * here-documents of {@code RUN}, {@code COPY} and {@code ADD} (whose bodies may hold lines that
 * look like {@code FROM} but are not instructions). {@code scratch} and names of earlier stages are
 * not images; references built from {@code ARG}s are left to {@link ReferenceRewriter}, which notes
 * them.
 *
 * <p>Written by hand: no Java library parses Dockerfiles with source offsets, and the grammar
 * needed for {@code FROM} is small.
 */
final class DockerfileScanner {

  private static final Pattern DIRECTIVE =
      Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(\\S+)\\s*$");
  private static final Pattern HEREDOC =
      Pattern.compile("(?<!<)<<(?!<)(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\\2");
  private static final Set<String> HEREDOC_INSTRUCTIONS = Set.of("RUN", "COPY", "ADD");

  private final LineIndex lines;
  private char escape = '\\';

  /** A word of an instruction and where it starts in the file. */
  private record Word(int start, String text) {}

  /** A pending here-document: its end word, and whether {@code <<-} lets tabs precede it. */
  private record Heredoc(String word, boolean stripTabs) {}

  private DockerfileScanner(String text) {
    this.lines = LineIndex.ofDockerfile(text);
  }

  static Scan scan(String text) {
    return new DockerfileScanner(text).scan();
  }

  private Scan scan() {
    Scan scan = Scan.empty();
    Set<String> stages = new HashSet<>();
    int line = readDirectives();
    Deque<Heredoc> heredocs = new ArrayDeque<>();
    while (line <= lines.lineCount()) {
      String content = lines.line(line);
      if (!heredocs.isEmpty()) {
        Heredoc doc = heredocs.peek();
        String candidate = doc.stripTabs() ? content.replaceFirst("^\t+", "") : content;
        if (candidate.equals(doc.word())) {
          heredocs.pop();
        }
        line++;
        continue;
      }
      String trimmed = content.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        line++;
        continue;
      }
      List<Word> words = new ArrayList<>();
      line = readInstruction(line, words);
      String keyword = words.get(0).text().toUpperCase(Locale.ROOT);
      if (keyword.equals("FROM")) {
        from(words, stages, scan);
      } else if (HEREDOC_INSTRUCTIONS.contains(keyword)) {
        for (Word w : words) {
          Matcher m = HEREDOC.matcher(w.text());
          while (m.find()) {
            heredocs.add(new Heredoc(m.group(3), !m.group(1).isEmpty()));
          }
        }
      }
    }
    return scan;
  }

  private void from(List<Word> words, Set<String> stages, Scan scan) {
    int i = 1;
    while (i < words.size() && words.get(i).text().startsWith("--")) {
      i++;
    }
    if (i >= words.size()) {
      return;
    }
    Word image = words.get(i);
    String name = image.text().toLowerCase(Locale.ROOT);
    // a stage may only refer to stages before it, so look before adding this one's name
    boolean isImage = !name.equals("scratch") && !stages.contains(name);
    if (i + 2 < words.size() && words.get(i + 1).text().equalsIgnoreCase("AS")) {
      stages.add(words.get(i + 2).text().toLowerCase(Locale.ROOT));
    }
    if (isImage) {
      scan.images().add(new ImageOccurrence(image.start(), image.text()));
    }
  }

  /**
   * Parser directives are only recognised before anything else, and they stop at the first line
   * that is not one. Returns the first line after them.
   */
  private int readDirectives() {
    int line = 1;
    while (line <= lines.lineCount()) {
      Matcher m = DIRECTIVE.matcher(lines.line(line).strip());
      if (!m.matches()) {
        break;
      }
      if (m.group(1).equalsIgnoreCase("escape") && m.group(2).length() == 1) {
        escape = m.group(2).charAt(0);
      }
      line++;
    }
    return line;
  }

  /**
   * Collects the words of the instruction starting at {@code line}, across continuation lines
   * (skipping comment and empty lines between them, as BuildKit does), and returns the line after
   * it.
   */
  private int readInstruction(int line, List<Word> words) {
    boolean continued = true;
    boolean first = true;
    while (continued && line <= lines.lineCount()) {
      int start = lines.start(line);
      String content = lines.line(line);
      String trimmed = content.strip();
      if (!first && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        line++;
        continue;
      }
      first = false;
      int end = content.stripTrailing().length();
      continued = end > 0 && content.charAt(end - 1) == escape;
      if (continued) {
        end--;
      }
      split(content.substring(0, end), start, words);
      line++;
    }
    return line;
  }

  private static void split(String segment, int offset, List<Word> words) {
    int i = 0;
    while (i < segment.length()) {
      while (i < segment.length() && Character.isWhitespace(segment.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < segment.length() && !Character.isWhitespace(segment.charAt(i))) {
        i++;
      }
      if (i > start) {
        words.add(new Word(offset + start, segment.substring(start, i)));
      }
    }
  }
}
