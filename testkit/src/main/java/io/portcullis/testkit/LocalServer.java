package io.portcullis.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A server a test runs from a binary on the PATH, with a temporary directory and a log of its own:
 * its process is killed and the directory deleted on {@link #close()}, or when the JVM exits first.
 */
final class LocalServer implements AutoCloseable {
  final TempDirectory dir;
  final Path log;
  private final String binary;
  private final Thread shutdownHook;
  private Process process;

  /** {@code name} names the directory ({@code portcullis-<name>-…}) and the exit hook. */
  LocalServer(String binary, String name, String logName) {
    this.binary = binary;
    this.dir = TempDirectory.create("portcullis-" + name + "-");
    this.log = dir.resolve(logName);
    this.shutdownHook = new Thread(this::cleanUpAtExit, name + "-shutdown");
  }

  /**
   * Fails (does not skip) when the binary is not installed, deleting the directory; else makes sure
   * that the server goes when the JVM does.
   */
  void requireInstalled() {
    if (!RequiredTools.onPath(binary)) {
      dir.close();
      throw new IllegalStateException(RequiredTools.missingMessage(binary));
    }
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts the binary with {@code args} in the directory, its output going to the log. */
  synchronized void launch(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.addAll(List.of(args));
    process = ProcessLog.start(command, dir.path(), log);
  }

  synchronized Process process() {
    return process;
  }

  synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  synchronized void kill() {
    if (process != null) {
      ProcessTrees.kill(process);
      process = null;
    }
  }

  String tail() {
    return ProcessLog.tail(log);
  }

  @Override
  public synchronized void close() {
    kill();
    ProcessLog.removeShutdownHook(shutdownHook);
    dir.close();
  }

  /** Runs if the JVM exits without close(), e.g. when a test's teardown threw first. */
  private void cleanUpAtExit() {
    Process p = process;
    if (p != null) {
      ProcessTrees.kill(p);
    }
    dir.close();
  }
}
