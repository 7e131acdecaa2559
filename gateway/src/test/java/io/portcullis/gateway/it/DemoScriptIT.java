package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's walk-through, {@code scripts/demo.sh}, runs as a newcomer would run it. */
class DemoScriptIT {

  @Test
  void demoLetsTheSignedImageInAndRefusesTheUnsignedOne() throws IOException, InterruptedException {
    Path root = GatewayProcess.jar().getParent().getParent().getParent();
    Process p =
        new ProcessBuilder("bash", root.resolve("scripts/demo.sh").toString())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    boolean done = p.waitFor(180, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) {
      p.destroyForcibly();
    }
    assertTrue(done, "demo did not finish: " + out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("pulled demo/signed:v1"), out);
    assertTrue(out.contains("denied by policy 'demo'"), out);
    assertTrue(
        out.contains("\"outcome\":\"allowed\"") && out.contains("\"outcome\":\"denied\""), out);
  }
}
