package io.portcullis.gateway.enforce;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per trust or access decision, appended to the audit file through Vert.x's
 * asynchronous file API. Records name what was decided and why; they never carry secrets, tokens or
 * key material.
 */
public final class AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private final AsyncFile file;

  private AuditLog(AsyncFile file) {
    this.file = file;
  }

  /** Opens (creating it and its folder when needed) the audit file for appending. */
  public static AuditLog open(Vertx vertx, Path path) throws java.io.IOException {
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    AsyncFile f =
        vertx
            .fileSystem()
            .openBlocking(
                path.toString(), new OpenOptions().setAppend(true).setCreate(true).setWrite(true));
    return new AuditLog(f);
  }

  /** What one decision record says ({@code requestId} null when the request had none). */
  public record Record(
      String client,
      String repository,
      String tag,
      String digest,
      String policy,
      String mode,
      String outcome,
      List<String> failedChecks,
      List<String> signers,
      String message,
      String requestId) {}

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
            .put("outcome", r.outcome())
            .put("failedChecks", new JsonArray(List.copyOf(r.failedChecks())))
            .put("signers", new JsonArray(List.copyOf(r.signers())))
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

  /**
   * One JSON line, with {@code requestId} unless null; the file is opened for appending, so writes
   * land in the order made.
   */
  private void append(JsonObject line, String requestId) {
    if (requestId != null) {
      line.put("requestId", requestId);
    }
    file.write(Buffer.buffer(line.encode()).appendString("\n"))
        .onFailure(err -> LOG.error("cannot write audit record: {}", err.getMessage()));
  }

  public io.vertx.core.Future<Void> close() {
    return file.close();
  }
}
