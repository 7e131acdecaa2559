package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index relation survives a restart, stays bounded, and a damaged file is only ignored. */
class IndexChildrenTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theRelationIsReadBackAfterARestart() throws Exception {
    Path file = dir.resolve("index-children.json");
    IndexChildren first = new IndexChildren(vertx, file);
    Digest index = ApprovalsTest.digest(100);
    first.record("team/multi", index, List.of(ApprovalsTest.digest(1), ApprovalsTest.digest(2)));
    awaitFileWith(file, ApprovalsTest.digest(2).toString());

    IndexChildren restarted = new IndexChildren(vertx, file);
    assertEquals(List.of(index), restarted.parents("team/multi", ApprovalsTest.digest(2)));
    assertEquals(List.of(), restarted.parents("team/other", ApprovalsTest.digest(2)));
  }

  @Test
  void aDamagedFileIsIgnored() throws Exception {
    Path file = dir.resolve("index-children.json");
    Files.writeString(file, "{\"team/multi@sha256:");
    IndexChildren relation = new IndexChildren(vertx, file);
    assertEquals(List.of(), relation.parents("team/multi", ApprovalsTest.digest(1)));
    relation.record("team/multi", ApprovalsTest.digest(100), List.of(ApprovalsTest.digest(1)));
    assertEquals(
        List.of(ApprovalsTest.digest(100)),
        relation.parents("team/multi", ApprovalsTest.digest(1)));
  }

  @Test
  void aChildKeepsItsNewestIndexesOnly() {
    IndexChildren relation = new IndexChildren(vertx, dir.resolve("r.json"));
    Digest child = ApprovalsTest.digest(1);
    for (int i = 0; i < IndexChildren.MAX_PARENTS + 3; i++) {
      relation.record("team/multi", ApprovalsTest.digest(1000 + i), List.of(child));
    }
    List<Digest> parents = relation.parents("team/multi", child);
    assertEquals(IndexChildren.MAX_PARENTS, parents.size());
    assertEquals(
        ApprovalsTest.digest(1000 + IndexChildren.MAX_PARENTS + 2),
        parents.get(parents.size() - 1));
  }

  private static void awaitFileWith(Path file, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!(Files.exists(file) && Files.readString(file).contains(text))) {
      assertTrue(System.nanoTime() < deadline, "written within 10s");
      Thread.sleep(10);
    }
  }
}
