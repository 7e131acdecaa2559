package io.portcullis.gateway.it;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples ({@code jdk.ExecutionSample}: threads running Java code)
 * fell: by thread, by the frame on top of the stack (self), and by every method on the stack
 * (inclusive), each as a share of all samples. What {@code jfr print --events ExecutionSample}
 * would show, counted.
 */
final class JfrSummary {
  private static final int TOP = 25;
  // Native frames where a thread waits rather than works: an idle event loop or worker.
  private static final Set<String> IDLE =
      Set.of(
          "sun.nio.ch.EPoll.wait",
          "sun.nio.ch.EPollArrayWrapper.epollWait",
          "jdk.internal.misc.Unsafe.park",
          "java.lang.Object.wait",
          "java.lang.Thread.sleep",
          "sun.nio.ch.Net.accept",
          "java.io.FileInputStream.readBytes",
          "sun.nio.ch.Net.poll");

  private JfrSummary() {}

  static void print(Path recording, PrintStream out) throws IOException {
    List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
    summarise(events, "jdk.ExecutionSample", "running Java code", out);
    summarise(events, "jdk.NativeMethodSample", "in native code, waits left out", out);
  }

  private static void summarise(
      List<RecordedEvent> events, String type, String what, PrintStream out) {
    Map<String, Integer> threads = new HashMap<>();
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> inclusive = new HashMap<>();
    int samples = 0;
    for (RecordedEvent e : events) {
      if (!e.getEventType().getName().equals(type)) {
        continue;
      }
      RecordedStackTrace stack = e.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      if (IDLE.contains(name(stack.getFrames().get(0)))) {
        continue;
      }
      samples++;
      RecordedThread t = e.getThread("sampledThread");
      threads.merge(threadKind(t == null ? "?" : t.getJavaName()), 1, Integer::sum);
      List<RecordedFrame> frames = stack.getFrames();
      self.merge(name(frames.get(0)), 1, Integer::sum);
      Set<String> seen = new HashSet<>();
      for (RecordedFrame f : frames) {
        String n = name(f);
        if (seen.add(n)) {
          inclusive.merge(n, 1, Integer::sum);
        }
      }
    }
    out.printf("%n== JFR %s of the gateway (%s): %d ==%n", type, what, samples);
    top("by thread", threads, samples, out);
    top("top frames (self)", self, samples, out);
    top("methods on the stack (inclusive)", inclusive, samples, out);
  }

  /** Threads of one pool share a kind: their name without its number. */
  private static String threadKind(String name) {
    return name == null ? "?" : name.replaceAll("-?\\d+$", "");
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static void top(String title, Map<String, Integer> counts, int all, PrintStream out) {
    out.printf("-- %s --%n", title);
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(TOP)
        .forEach(
            e ->
                out.printf(
                    "%6.1f%%  %6d  %s%n", 100.0 * e.getValue() / all, e.getValue(), e.getKey()));
  }
}
