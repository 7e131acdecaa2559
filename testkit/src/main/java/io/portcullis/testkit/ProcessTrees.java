package io.portcullis.testkit;

import java.util.concurrent.TimeUnit;

/** Ends a child process together with anything it started, politely first. */
final class ProcessTrees {
  private static final long GRACE_MILLIS = 3_000;

  private ProcessTrees() {}

  static void kill(Process process) {
    ProcessHandle root = process.toHandle();
    root.descendants().forEach(ProcessHandle::destroy);
    root.destroy();
    try {
      if (!process.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
