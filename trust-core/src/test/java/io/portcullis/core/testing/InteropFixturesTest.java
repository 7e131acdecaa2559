package io.portcullis.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The interop rule: skip with one line when the folder is absent, fail when {@code CI=true}. */
class InteropFixturesTest {

  @Test
  void absentFolderSkipsOutsideCi(@TempDir Path clone) {
    Optional<Path> none = InteropFixtures.find(clone);
    assertTrue(none.isEmpty());
    TestAbortedException skipped =
        assertThrows(TestAbortedException.class, () -> InteropFixtures.require(none, false));
    assertTrue(skipped.getMessage().contains("shared/interop not found"));
    assertEquals(1, skipped.getMessage().lines().count());
  }

  @Test
  void absentFolderFailsInCi(@TempDir Path clone) {
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () -> InteropFixtures.require(InteropFixtures.find(clone), true));
    assertTrue(failed.getMessage().contains("CI=true"));
  }

  @Test
  void foundAboveTheWorkingFolder(@TempDir Path root) throws IOException {
    Path interop = Files.createDirectories(root.resolve("shared/interop"));
    Path worktree = Files.createDirectories(root.resolve("wt/fuzz/trust-core"));
    assertEquals(interop, InteropFixtures.require(InteropFixtures.find(worktree), true));
  }
}
