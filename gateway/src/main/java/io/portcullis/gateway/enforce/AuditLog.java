package io.portcullis.gateway.enforce;

import io.portcullis.core.policy.SignedBy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per trust or access decision, appended to the audit file. Records name what was
 * decided and why; they never carry secrets, tokens or key material.
 *
 * <p>Each record is one {@code write} to a file opened with {@code O_APPEND}, made by a single
 * worker thread in the order the records came: a reader tailing the file (a log shipper) sees whole
 * lines only, never a gap; a crash can cut the last line short but leaves no hole before it.
 * (Vert.x's {@code AsyncFile} writes at positions computed ahead, several at once, so a later
 * record could land before an earlier one had filled its place, leaving NUL bytes there meanwhile.)
 */
public final class AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private final FileChannel file;
  private final WorkerExecutor writer;

  private AuditLog(FileChannel file, WorkerExecutor writer) {
    this.file = file;
    this.writer = writer;
  }

  /** Opens (creating it and its folder when needed) the audit file for appending. */
  public static AuditLog open(Vertx vertx, Path path) throws IOException {
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    FileChannel channel =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    return new AuditLog(channel, vertx.createSharedWorkerExecutor("portcullis-audit-" + path, 1));
  }

  /** What one decision record says ({@code requestId} null when the request had none). */
  public record Record(
      String client,
      String repository,
      String tag,
      String digest,
      String policy,
      String mode,
      AuditOutcome outcome,
      List<String> failedChecks,
      List<SignedBy> signers,
      String message,
      String requestId) {}

  /**
   * The signers as fields a tool can match on without parsing {@code signers}: {@code issuer} and
   * {@code subject} (keyless), {@code keyId} (keys) and {@code logIndex}, each when known.
   */
  static JsonArray signedBy(List<SignedBy> signers) {
    JsonArray all = new JsonArray();
    for (SignedBy s : signers) {
      JsonObject one = new JsonObject();
      s.issuer().ifPresent(v -> one.put("issuer", v));
      s.subject().ifPresent(v -> one.put("subject", v));
      s.keyId().ifPresent(v -> one.put("keyId", v));
      s.logIndex().ifPresent(v -> one.put("logIndex", v));
      all.add(one);
    }
    return all;
  }

  public void write(Record r) {
    JsonObject line =
        new JsonObject()
            .put("time", Instant.now().toString())
            .put("client", r.client())
            .put("repository", r.repository())
            .put("tag", r.tag())
            .put("digest", r.digest())
            .put("policy", r.policy())
            .put("mode", r.mode())
            .put("outcome", r.outcome().wireName())
            .put("failedChecks", new JsonArray(List.copyOf(r.failedChecks())))
            .put("signers", new JsonArray(r.signers().stream().map(SignedBy::description).toList()))
            .put("signedBy", signedBy(r.signers()))
            .put("message", r.message());
    append(line, r.requestId());
  }

  /**
   * One authentication or authorization decision of the access control ({@code event} is {@code
   * authentication} or {@code authorization}): who, what, on which repository, and the outcome,
   * with the id of the client request it was made for (null when none). Never a password, token or
   * hash.
   */
  public record AccessRecord(
      String event,
      String client,
      String subject,
      String identityKind,
      String action,
      String repository,
      String outcome,
      String message,
      String requestId) {}

  public void write(AccessRecord r) {
    JsonObject line =
        new JsonObject()
            .put("time", Instant.now().toString())
            .put("event", r.event())
            .put("client", r.client())
            .put("subject", r.subject())
            .put("identityKind", r.identityKind())
            .put("action", r.action())
            .put("repository", r.repository())
            .put("outcome", r.outcome())
            .put("message", r.message());
    append(line, r.requestId());
  }

  /** One JSON line, with {@code requestId} unless null, queued for the writer thread. */
  private void append(JsonObject line, String requestId) {
    if (requestId != null) {
      line.put("requestId", requestId);
    }
    ByteBuffer bytes = ByteBuffer.wrap((line.encode() + "\n").getBytes(StandardCharsets.UTF_8));
    writer
        .executeBlocking(
            () -> {
              while (bytes.hasRemaining()) {
                file.write(bytes);
              }
              return null;
            },
            false)
        .onFailure(err -> LOG.error("cannot write audit record: {}", err.getMessage()));
  }

  /** Closes the file once the records queued before have been written. */
  public Future<Void> close() {
    return writer
        .<Void>executeBlocking(
            () -> {
              file.close();
              return null;
            },
            false)
        .eventually(writer::close);
  }
}
