package io.portcullis.gateway.it;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The table a benchmark ends with: each figure beside the peer measured in the same run, their
 * ratio, the goal it is held to and whether this run met it.
 */
final class BenchmarkSummary {
  private static final String FORMAT = "%-58s %12s %24s %8s %14s %4s%n";
  private final List<String[]> rows = new ArrayList<>();

  /** A figure where more is better; the goal is a least ratio to the peer. */
  void atLeast(String figure, double ours, double peer, String peerName, double goal) {
    double ratio = ours / peer;
    row(figure, ours, peer, peerName, ratio, "≥ " + goal + "×", ratio >= goal ? "yes" : "NO");
  }

  /** A figure where less is better; the goal is a greatest ratio to the peer. */
  void atMost(String figure, double ours, double peer, String peerName, double goal) {
    double ratio = ours / peer;
    row(figure, ours, peer, peerName, ratio, "≤ " + goal + "×", ratio <= goal ? "yes" : "NO");
  }

  /** A figure compared with its peer, held to no goal. */
  void ratio(String figure, double ours, double peer, String peerName) {
    row(figure, ours, peer, peerName, ours / peer, "", "");
  }

  /** A figure that is not a ratio (a count, a size), with its goal as text. */
  void line(String figure, String ours, String peer, String goal, boolean met) {
    rows.add(new String[] {figure, ours, peer, "", goal, met ? "yes" : "NO"});
  }

  void print(PrintStream out) {
    out.printf("%n== summary: Portcullis beside its peer in this run, and issue #14's goals ==%n");
    out.printf(FORMAT, "figure", "portcullis", "peer", "ratio", "goal", "met");
    for (String[] r : rows) {
      out.printf(FORMAT, (Object[]) r);
    }
  }

  private void row(
      String figure,
      double ours,
      double peer,
      String peerName,
      double ratio,
      String goal,
      String met) {
    rows.add(
        new String[] {
          figure,
          String.format("%.1f", ours),
          String.format("%.1f %s", peer, peerName),
          String.format("%.2f×", ratio),
          goal,
          met
        });
  }
}
