package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UploadIdsTest {
  private final UploadIds ids = new UploadIds(key((byte) 1));
  private static final String LOC =
      "http://127.0.0.1:5000/v2/team/app/blobs/uploads/1234?_state=abc";

  @Test
  void sealedIdOpensForItsOwnRepositoryOnly() {
    String id = ids.seal("internal", "team/app", LOC);
    assertTrue(UploadIds.looksValid(id));
    assertEquals(Optional.of(LOC), ids.open("internal", "team/app", id));
    assertEquals(Optional.empty(), ids.open("internal", "team/other", id));
    assertEquals(Optional.empty(), ids.open("hub", "team/app", id));
  }

  @Test
  void tamperedOrForeignIdsAreRefused() {
    String id = ids.seal("internal", "team/app", LOC);
    String forged = ids.seal("internal", "team/app", LOC.replace("team/app", "team/other"));
    String swapped = forged.substring(0, forged.indexOf('.')) + id.substring(id.indexOf('.'));
    assertEquals(Optional.empty(), ids.open("internal", "team/app", swapped));
    assertEquals(Optional.empty(), new UploadIds(key((byte) 2)).open("internal", "team/app", id));
    assertEquals(Optional.empty(), ids.open("internal", "team/app", "%%%." + "A".repeat(22)));
  }

  private static byte[] key(byte b) {
    byte[] k = new byte[32];
    Arrays.fill(k, b);
    return k;
  }
}
