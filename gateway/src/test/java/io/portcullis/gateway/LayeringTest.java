package io.portcullis.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Holds the architecture of STYLE.md: trust-core knows no Vert.x, the CLI never depends on the
 * gateway, and inside the gateway lower layers never import upper ones (no cycles).
 */
class LayeringTest {
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?([\\w.]+)\\.[\\w*]+;", Pattern.MULTILINE);
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  /** Gateway packages, lowest first: each may import only packages listed before it. */
  private static final List<String> GATEWAY_LAYERS =
      List.of(
          "errors",
          "metrics",
          "config",
          "upstream",
          "cache",
          "enforce",
          "auth",
          "http",
          "admin",
          "");

  @Test
  void trustCoreHasNoVertxNoGatewayNoCli() throws IOException {
    List<String> offenders = new ArrayList<>();
    forEachImport(
        ROOT.resolve("trust-core/src/main/java"),
        (file, imported) -> {
          if (imported.startsWith("io.vertx")
              || imported.startsWith("io.portcullis.gateway")
              || imported.startsWith("io.portcullis.signer")) {
            offenders.add(file + " imports " + imported);
          }
        });
    assertEquals(List.of(), offenders);
  }

  @Test
  void signerCliNeverDependsOnTheGateway() throws IOException {
    List<String> offenders = new ArrayList<>();
    forEachImport(
        ROOT.resolve("signer-cli/src/main/java"),
        (file, imported) -> {
          if (imported.startsWith("io.portcullis.gateway") || imported.startsWith("io.vertx")) {
            offenders.add(file + " imports " + imported);
          }
        });
    assertEquals(List.of(), offenders);
  }

  @Test
  void gatewayLowerLayersNeverImportUpperOnes() throws IOException {
    Path src = ROOT.resolve("gateway/src/main/java/io/portcullis/gateway");
    List<String> offenders = new ArrayList<>();
    forEachImport(
        src,
        (file, imported) -> {
          String from = layerOf(src.relativize(file).toString());
          if (!imported.startsWith("io.portcullis.gateway")) {
            return;
          }
          String rest = imported.substring("io.portcullis.gateway".length());
          String to = rest.isEmpty() ? "" : rest.substring(1).split("\\.")[0];
          int fromRank = rank(from);
          int toRank = rank(to);
          if (toRank > fromRank) {
            offenders.add(file.getFileName() + " (" + from + ") imports " + imported);
          }
        });
    assertEquals(List.of(), offenders);
    assertTrue(Files.isDirectory(src.resolve("errors")), "layout as documented");
  }

  private static int rank(String layer) {
    int i = GATEWAY_LAYERS.indexOf(layer);
    // Packages added later rank just below the root package until listed here.
    return i < 0 ? GATEWAY_LAYERS.size() - 1 : i;
  }

  private static String layerOf(String relativePath) {
    int slash = relativePath.indexOf('/');
    return slash < 0 ? "" : relativePath.substring(0, slash);
  }

  private interface ImportVisitor {
    void visit(Path file, String importedPackage);
  }

  private static void forEachImport(Path dir, ImportVisitor visitor) throws IOException {
    assertTrue(Files.isDirectory(dir), dir + " exists");
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = IMPORT.matcher(Files.readString(file));
        while (m.find()) {
          visitor.visit(file, m.group(1));
        }
      }
    }
  }
}
