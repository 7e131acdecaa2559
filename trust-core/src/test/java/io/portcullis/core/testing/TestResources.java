package io.portcullis.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Files from this module's test resources. */
public final class TestResources {
  private TestResources() {}

  public static byte[] bytes(String name) {
    try (InputStream in = TestResources.class.getResourceAsStream("/" + name)) {
      return Objects.requireNonNull(in, "missing test resource " + name).readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }
}
