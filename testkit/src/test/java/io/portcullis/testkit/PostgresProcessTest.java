package io.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which installed PostgreSQL the tests start. */
class PostgresProcessTest {
  @TempDir Path root;

  private void install(String major, boolean executable) throws IOException {
    Path postgres = root.resolve(major).resolve("bin/postgres");
    Files.createDirectories(postgres.getParent());
    Files.createFile(
        postgres,
        PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--")));
  }

  @Test
  void theNewestInstalledMajorIsUsedNumericallyNotByName() throws IOException {
    install("9", true);
    install("15", true);
    install("17", false); // a leftover directory without a server
    Files.createDirectories(root.resolve("common/bin"));
    assertEquals(root.resolve("15/bin"), PostgresProcess.newestBin(root));
  }

  @Test
  void withNothingInstalledThePathOfDebian12IsNamed() {
    assertEquals(root.resolve("15/bin"), PostgresProcess.newestBin(root));
    assertEquals(
        root.resolve("missing/15/bin"), PostgresProcess.newestBin(root.resolve("missing")));
  }
}
