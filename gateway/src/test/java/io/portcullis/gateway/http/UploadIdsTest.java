package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UploadIdsTest {
  private final UploadIds ids = new UploadIds(key((byte) 1));
  private static final String LOC =
      "http://registry.internal:5000/v2/team/app/blobs/uploads/1234?_state=abc";

  @Test
  void sealedIdOpensForItsOwnRepositoryOnly() {
    String id = ids.seal("internal", "team/app", LOC);
    assertTrue(UploadIds.looksValid(id), id);
    assertEquals(Optional.of(LOC), ids.open("internal", "team/app", id));
    assertEquals(Optional.empty(), ids.open("internal", "team/other", id));
    assertEquals(Optional.empty(), ids.open("hub", "team/app", id));
    // The separator cannot be shifted between upstream and repository names.
    assertEquals(Optional.empty(), ids.open("internal\0team", "app", id));
  }

  @Test
  void theIdRevealsNeitherTheUpstreamNorItsState() {
    String id = ids.seal("internal", "team/app", LOC);
    String decoded = new String(Base64.getUrlDecoder().decode(id), StandardCharsets.ISO_8859_1);
    for (String secret : new String[] {"registry.internal", "5000", "_state", "1234", "http"}) {
      assertFalse(decoded.contains(secret), secret + " in " + decoded);
      assertFalse(id.contains(secret), secret + " in " + id);
    }
    assertNotEquals(id, ids.seal("internal", "team/app", LOC), "a fresh nonce every time");
  }

  @Test
  void tamperedIdsAreRefused() {
    String id = ids.seal("internal", "team/app", LOC);
    byte[] raw = Base64.getUrlDecoder().decode(id);
    for (int i : new int[] {0, 11, 12, raw.length / 2, raw.length - 1}) {
      byte[] bent = raw.clone();
      bent[i] ^= 1;
      String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(bent);
      assertEquals(Optional.empty(), ids.open("internal", "team/app", forged), "byte " + i);
    }
    String cut = id.substring(0, id.length() - 4);
    assertEquals(Optional.empty(), ids.open("internal", "team/app", cut));
  }

  @Test
  void idsOfAnotherKeyOrFormatAreRefused() {
    String id = ids.seal("internal", "team/app", LOC);
    assertEquals(Optional.empty(), new UploadIds(key((byte) 2)).open("internal", "team/app", id));
    // the former format: base64(location) "." base64(hmac)
    String old =
        Base64.getUrlEncoder().withoutPadding().encodeToString(LOC.getBytes(StandardCharsets.UTF_8))
            + "."
            + "A".repeat(22);
    assertFalse(UploadIds.looksValid(old));
    assertEquals(Optional.empty(), ids.open("internal", "team/app", old));
    assertEquals(Optional.empty(), ids.open("internal", "team/app", "%%%" + "A".repeat(40)));
    assertEquals(Optional.empty(), ids.open("internal", "team/app", "A".repeat(40)));
  }

  @Test
  void idsStayWithinTheLengthCap() {
    String longest = "http://r/" + "x".repeat(3000);
    String id = ids.seal("internal", "team/app", longest);
    assertTrue(id.length() <= UploadIds.MAX_ID, "length " + id.length());
    assertEquals(Optional.of(longest), ids.open("internal", "team/app", id));
    assertThrows(
        IllegalArgumentException.class,
        () -> ids.seal("internal", "team/app", "http://r/" + "x".repeat(3100)));
  }

  private static byte[] key(byte b) {
    byte[] k = new byte[32];
    Arrays.fill(k, b);
    return k;
  }
}
