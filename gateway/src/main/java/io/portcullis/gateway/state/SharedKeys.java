package io.portcullis.gateway.state;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;

/**
 * Secret keys every replica must hold the same copy of, made once by whichever replica asks first.
 * The upload-id sealing key is one: a chunked push whose requests land on different replicas
 * continues only if each can open the upload id another sealed ({@code http.UploadIds}).
 *
 * <p>Kept in the database with the rest of the shared state: whoever can read the database can read
 * these keys, so access to it must be as narrow as to the replicas' data directories.
 */
public final class SharedKeys {
  /** The name of the upload-id sealing key. */
  public static final String UPLOAD_ID = "upload-id";

  /** Key length: {@code UploadIds} needs at least 32 bytes. */
  public static final int LENGTH = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final StateDatabase db;

  SharedKeys(StateDatabase db) {
    this.db = db;
  }

  /** The upload-id sealing key, the same {@value #LENGTH} bytes for every replica. */
  public Future<byte[]> uploadIdKey() {
    return key(UPLOAD_ID);
  }

  /** The key named {@code name}, made now (random) if no replica made it before. */
  public Future<byte[]> key(String name) {
    byte[] candidate = new byte[LENGTH];
    RANDOM.nextBytes(candidate);
    // DO UPDATE (to the same value) rather than DO NOTHING: the winner's key is returned even
    // when it was inserted after this statement's snapshot
    return db.query(
            """
            INSERT INTO shared_keys (name, key) VALUES ($1, $2)
            ON CONFLICT (name) DO UPDATE SET name = shared_keys.name
            RETURNING key""",
            Tuple.of(name, Buffer.buffer(candidate)))
        .map(rows -> rows.iterator().next().getBuffer("key").getBytes());
  }
}
