package io.portcullis.testkit;

/**
 * The end of a test class's fixtures: everything it started (registries, gateways, skopeo) closed
 * in the order given, each one even when an earlier one failed to close, so that no process
 * outlives the test.
 */
public final class Teardown {
  private Teardown() {}

  /**
   * Closes each of {@code resources} in order, skipping nulls (a fixture that never started);
   * rethrows the first failure with the later ones suppressed.
   */
  public static void closeAll(AutoCloseable... resources) throws Exception {
    Exception first = null;
    for (AutoCloseable r : resources) {
      if (r == null) {
        continue;
      }
      try {
        r.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
