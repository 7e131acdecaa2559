package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.policy.SignedBy;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit file as a log shipper tailing it sees it: whole JSON lines only, never a gap or a torn
 * record, however many event loops write at once.
 */
class AuditLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WRITERS = 8;
  private static final int EACH = 400;

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void concurrentWritersLeaveWholeLinesInOrderOfEachWriter() throws Exception {
    Path file = dir.resolve("audit/audit.jsonl");
    AuditLog audit = AuditLog.open(vertx, file);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<String> torn = new AtomicReference<>();
    Thread tail =
        new Thread(
            () -> {
              while (writing.get() && torn.get() == null) {
                try {
                  String seen = Files.readString(file, StandardCharsets.UTF_8);
                  // everything up to the last newline must be whole records
                  String whole = seen.substring(0, seen.lastIndexOf('\n') + 1);
                  if (whole.indexOf('\0') >= 0) {
                    torn.set("a gap of NUL bytes inside the written records");
                  }
                  for (String line : whole.split("\n")) {
                    if (!line.isEmpty()) {
                      JSON.readTree(line);
                    }
                  }
                } catch (Exception e) {
                  torn.set(e.toString());
                }
              }
            });
    tail.start();
    CountDownLatch done = new CountDownLatch(WRITERS);
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      // each writer on its own event loop, as requests are
      vertx
          .getOrCreateContext()
          .runOnContext(
              v -> {
                for (int i = 0; i < EACH; i++) {
                  audit.write(record(writer, i));
                }
                done.countDown();
              });
    }
    assertTrue(done.await(30, TimeUnit.SECONDS));
    audit.close().await(30, TimeUnit.SECONDS);
    writing.set(false);
    tail.join(10_000);
    assertEquals(null, torn.get(), "what a reader saw while the records were written");

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertEquals(WRITERS * EACH, lines.size());
    List<List<Integer>> byWriter = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      byWriter.add(new ArrayList<>());
    }
    Set<String> ids = new HashSet<>();
    for (String line : lines) {
      JsonNode record = JSON.readTree(line);
      String[] id = record.path("requestId").asText().split("-");
      byWriter.get(Integer.parseInt(id[0])).add(Integer.parseInt(id[1]));
      ids.add(record.path("requestId").asText());
    }
    assertEquals(WRITERS * EACH, ids.size(), "every record once");
    for (List<Integer> order : byWriter) {
      for (int i = 0; i < order.size(); i++) {
        assertEquals(i, order.get(i), "one writer's records in the order written");
      }
    }
  }

  /**
   * An approval's record names each signer as fields (issuer and SAN, or key id, and the log
   * index), beside the {@code signers} lines for people.
   */
  @Test
  void anApprovalNamesItsSignersAsFields() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    AuditLog audit = AuditLog.open(vertx, file);
    SignedBy keyless =
        new SignedBy(
            "keyless wf (issuer iss) log index 42 (public-good, sigstore bundle)",
            Optional.of("https://token.actions.githubusercontent.com"),
            Optional.of("https://github.com/myorg/app/.github/workflows/release.yml@refs/tags/v1"),
            Optional.empty(),
            OptionalLong.of(42));
    SignedBy key =
        new SignedBy(
            "cosign key 0123456789abcdef (release-keys)",
            Optional.empty(),
            Optional.empty(),
            Optional.of("0123456789abcdef"),
            OptionalLong.empty());
    audit.write(
        new AuditLog.Record(
            "127.0.0.1",
            "team/app",
            "v1",
            "sha256:" + "a".repeat(64),
            "upstream",
            "enforce",
            AuditOutcome.ALLOWED,
            List.of(),
            List.of(keyless, key),
            "allowed",
            "req-1"));
    audit.close().await(30, TimeUnit.SECONDS);
    JsonNode line = JSON.readTree(Files.readAllLines(file, StandardCharsets.UTF_8).get(0));
    assertEquals(keyless.description(), line.at("/signers/0").asText(), line.toString());
    JsonNode first = line.at("/signedBy/0");
    assertEquals("https://token.actions.githubusercontent.com", first.path("issuer").asText());
    assertEquals(
        "https://github.com/myorg/app/.github/workflows/release.yml@refs/tags/v1",
        first.path("subject").asText());
    assertEquals(42, first.path("logIndex").asLong(), line.toString());
    assertTrue(first.path("keyId").isMissingNode(), line.toString());
    JsonNode second = line.at("/signedBy/1");
    assertEquals("0123456789abcdef", second.path("keyId").asText(), line.toString());
    assertTrue(second.path("logIndex").isMissingNode(), line.toString());
  }

  private static AuditLog.AccessRecord record(int writer, int i) {
    return new AuditLog.AccessRecord(
        "authorization",
        "127.0.0.1",
        "user-" + writer,
        "user",
        "pull",
        "team/app-" + "x".repeat(i % 300),
        "allowed",
        "record " + i + " of writer " + writer,
        writer + "-" + i);
  }
}
