package io.portcullis.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assertions;

/**
 * Checks that the external programs an integration test drives are installed, and fails the test
 * with one line that says which Debian package to install.
 *
 * <p>The check fails rather than skips: a suite that silently skips its integration tests when a
 * tool is missing reports green without having tested anything.
 */
public final class RequiredTools {
  /** The command that runs the whole suite, as documented in the README. */
  public static final String TEST_COMMAND = "scripts/test.sh";

  private static final Map<String, String> DEBIAN_PACKAGES =
      Map.ofEntries(
          Map.entry("docker-registry", "docker-registry"),
          Map.entry("skopeo", "skopeo"),
          Map.entry("umoci", "umoci"),
          Map.entry("ip", "iproute2"),
          Map.entry("nsenter", "util-linux"),
          Map.entry("unshare", "util-linux"),
          Map.entry("mount", "mount"),
          Map.entry("podman", "podman"),
          Map.entry("setpriv", "util-linux"),
          Map.entry("haproxy", "haproxy"),
          Map.entry("notary", "notary"),
          Map.entry("notary-server", "notary"),
          Map.entry("pg_isready", "postgresql"));

  private RequiredTools() {}

  /** Fails the calling test unless every command is an executable file on {@code PATH}. */
  public static void check(String... commands) {
    for (String command : commands) {
      if (!onPath(command)) {
        Assertions.fail(missingMessage(command));
      }
    }
  }

  /** The one-line message {@link #check} fails with when {@code command} is missing. */
  static String missingMessage(String command) {
    String pkg = DEBIAN_PACKAGES.getOrDefault(command, command);
    return "'"
        + command
        + "' is not on PATH: install the Debian package '"
        + pkg
        + "' (apt-get install "
        + pkg
        + ") and run the tests with "
        + TEST_COMMAND;
  }

  static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
