package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's walk-through, {@code scripts/demo.sh}, runs as a newcomer would run it. */
class DemoScriptIT {

  @Test
  void demoLetsTheSignedImageInAndRefusesTheUnsignedOne(@TempDir Path tmp)
      throws IOException, InterruptedException {
    Path root = GatewayProcess.jar().getParent().getParent().getParent();
    // Output goes to a file, not a pipe: a pipe kept open by a stray child would block the reader.
    Path log = tmp.resolve("demo.log");
    Process p =
        new ProcessBuilder("bash", root.resolve("scripts/demo.sh").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    boolean done = p.waitFor(180, TimeUnit.SECONDS);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    String out = Files.readString(log);
    assertTrue(done, "demo did not finish within 180 s: " + out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("pulled demo/signed:v1"), out);
    assertTrue(out.contains("denied by policy 'demo'"), out);
    assertTrue(
        out.contains("\"outcome\":\"allowed\"") && out.contains("\"outcome\":\"denied\""), out);
  }
}
