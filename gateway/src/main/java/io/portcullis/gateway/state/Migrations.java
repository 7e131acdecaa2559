package io.portcullis.gateway.state;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared state's schema, made and upgraded by the gateway itself at start. Each {@link
 * Migration} runs once, in order, recorded in {@code schema_version}. All of it happens in one
 * transaction that first takes a transaction-scoped advisory lock, so replicas starting together
 * queue behind each other: the first migrates, the others then find the versions recorded and do
 * nothing. A database whose schema is newer than this gateway knows is refused (an older replica
 * must not write into a schema it does not understand).
 *
 * <p>Migrations are append-only: a released one is never edited, a change is a new version.
 */
final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** {@code pg_advisory_xact_lock} key: "portcull" in ASCII, shared by every replica. */
  static final long LOCK = 0x706f727463756c6cL;

  /** One schema version: its statements run in order in the migrating transaction. */
  record Migration(int version, String description, List<String> statements) {}

  static final List<Migration> ALL =
      List.of(
          new Migration(
              1,
              "tag pins, robots, failed logins, shared keys, replica heartbeats",
              List.of(
                  """
                  CREATE TABLE tag_pins (
                    upstream text NOT NULL,
                    repository text NOT NULL,
                    tag text NOT NULL,
                    digest text NOT NULL,
                    seen_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (upstream, repository, tag))""",
                  "CREATE SEQUENCE robot_changes",
                  """
                  CREATE TABLE robots (
                    name text PRIMARY KEY,
                    roles text[] NOT NULL,
                    scopes text[] NOT NULL,
                    created_at timestamptz NOT NULL,
                    expires_at timestamptz NOT NULL,
                    revoked_at timestamptz,
                    secret_hash text NOT NULL,
                    change_id bigint NOT NULL DEFAULT nextval('robot_changes'))""",
                  "CREATE INDEX robots_change_id ON robots (change_id)",
                  """
                  CREATE TABLE failed_logins (
                    key text PRIMARY KEY,
                    failures integer NOT NULL,
                    window_ends timestamptz NOT NULL)""",
                  "CREATE INDEX failed_logins_window_ends ON failed_logins (window_ends)",
                  """
                  CREATE TABLE shared_keys (
                    name text PRIMARY KEY,
                    key bytea NOT NULL CHECK (octet_length(key) >= 32),
                    created_at timestamptz NOT NULL DEFAULT now())""",
                  """
                  CREATE TABLE replicas (
                    id text PRIMARY KEY,
                    started_at timestamptz NOT NULL,
                    last_seen timestamptz NOT NULL)""")),
          new Migration(
              2,
              "approvals shared by every replica",
              List.of(
                  """
                  CREATE TABLE approvals (
                    revision text NOT NULL,
                    repository text NOT NULL,
                    digest text NOT NULL,
                    kind text NOT NULL CHECK (kind IN ('platform', 'content', 'artifact')),
                    detail text NOT NULL,
                    size bigint NOT NULL,
                    expires_at timestamptz NOT NULL,
                    PRIMARY KEY (revision, repository, digest))""",
                  "CREATE INDEX approvals_expires_at ON approvals (expires_at)")),
          new Migration(
              3,
              "Docker Content Trust roots trusted on first use",
              List.of(
                  """
                  CREATE TABLE dct_roots (
                    trust_store text NOT NULL,
                    gun text NOT NULL,
                    root bytea NOT NULL CHECK (octet_length(root) BETWEEN 1 AND 65536),
                    version bigint NOT NULL CHECK (version >= 1),
                    recorded_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (trust_store, gun))""")));

  private Migrations() {}

  /** The newest version this gateway knows. */
  static int latest() {
    return ALL.get(ALL.size() - 1).version();
  }

  /** Brings the schema to {@link #latest()}; the version found before. */
  static Future<Integer> migrate(StateDatabase db) {
    return db.transaction(
        conn ->
            conn.query("SELECT pg_advisory_xact_lock(" + LOCK + ")")
                .execute()
                // "already exists, skipping" is the normal case, not worth a warning in the log
                .compose(locked -> conn.query("SET LOCAL client_min_messages = warning").execute())
                .compose(
                    locked ->
                        conn.query(
                                """
                                CREATE TABLE IF NOT EXISTS schema_version (
                                  version integer PRIMARY KEY,
                                  description text NOT NULL,
                                  applied_at timestamptz NOT NULL DEFAULT now())""")
                            .execute())
                .compose(
                    created ->
                        conn.query("SELECT coalesce(max(version), 0) AS v FROM schema_version")
                            .execute())
                .compose(
                    rows -> {
                      int found = rows.iterator().next().getInteger("v");
                      if (found > latest()) {
                        return Future.failedFuture(
                            new IllegalStateException(
                                "the shared state's schema is at version "
                                    + found
                                    + ", newer than this gateway knows ("
                                    + latest()
                                    + "): upgrade this replica"));
                      }
                      Future<Void> chain = Future.succeededFuture();
                      for (Migration m : ALL) {
                        if (m.version() > found) {
                          chain = chain.compose(v -> apply(conn, m));
                        }
                      }
                      return chain.map(found);
                    }));
  }

  private static Future<Void> apply(SqlConnection conn, Migration m) {
    Future<Void> chain = Future.succeededFuture();
    for (String statement : m.statements()) {
      chain = chain.compose(v -> conn.query(statement).execute().mapEmpty());
    }
    return chain
        .compose(
            v ->
                conn.preparedQuery(
                        "INSERT INTO schema_version (version, description) VALUES ($1, $2)")
                    .execute(Tuple.of(m.version(), m.description())))
        .onSuccess(v -> LOG.info("shared state schema: applied version {}", m.version()))
        .mapEmpty();
  }
}
