package io.portcullis.core.pin;

import java.util.ArrayList;
import java.util.List;

/**
 * Line starts of a text, to turn offsets into 1-based line numbers and back. YAML counts more line
 * breaks than {@code \n} ({@code \r}, NEL, U+2028, U+2029, as SnakeYAML does), and Jackson's
 * locations are in its lines, so the YAML scanner must count the same way.
 */
final class LineIndex {

  private final String text;
  private final int[] starts;

  private LineIndex(String text, int[] starts) {
    this.text = text;
    this.starts = starts;
  }

  /** Lines end at {@code \n}; a {@code \r} before it belongs to the terminator. */
  static LineIndex ofDockerfile(String text) {
    List<Integer> starts = new ArrayList<>(List.of(0));
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    return new LineIndex(text, starts.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Lines end at {@code \r\n}, {@code \n}, {@code \r}, U+0085, U+2028 or U+2029. */
  static LineIndex ofYaml(String text) {
    List<Integer> starts = new ArrayList<>(List.of(0));
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean crlf = c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n';
      if (!crlf && (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029')) {
        starts.add(i + 1);
      }
    }
    return new LineIndex(text, starts.stream().mapToInt(Integer::intValue).toArray());
  }

  int lineCount() {
    return starts.length;
  }

  /** Offset of the first character of 1-based {@code line}. */
  int start(int line) {
    return starts[line - 1];
  }

  /** Offset just past the last character of {@code line}, before its terminator. */
  int contentEnd(int line) {
    int end = line < starts.length ? starts[line] : text.length();
    while (end > start(line) && isBreak(text.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  /** The 1-based line holding {@code offset}. */
  int lineOf(int offset) {
    int lo = 0;
    int hi = starts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo + 1;
  }

  /** The text of {@code line} without its terminator. */
  String line(int line) {
    return text.substring(start(line), contentEnd(line));
  }

  private static boolean isBreak(char c) {
    return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
  }
}
