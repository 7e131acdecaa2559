package io.portcullis.core.dct;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.PemBlock;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.tuf.KeyIds;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The root keys a trust store pins for a GUN, given as key ids or as PEM certificates or public
 * keys. A key of a root is pinned when its TUF key id (what {@code root.json} lists, for an x509
 * key the hash of the certificate's key object) or its canonical key id (the id of the bare public
 * key, which {@code notary key list} shows and names the private key file by) is pinned, or when
 * its public key is one of the pinned ones.
 */
public record RootKeyPins(Set<String> keyIds, List<PublicKey> keys) {
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");

  public RootKeyPins {
    keyIds = Set.copyOf(keyIds);
    keys = List.copyOf(keys);
    if (keyIds.isEmpty() && keys.isEmpty()) {
      throw new IllegalArgumentException("no root keys are pinned");
    }
  }

  /** Pins by key id: 64 lower-case hex digits. */
  public static RootKeyPins ofKeyIds(List<String> ids) {
    Set<String> checked = new HashSet<>();
    for (String id : ids) {
      String lower = id.toLowerCase(Locale.ROOT);
      if (!KEY_ID.matcher(lower).matches()) {
        throw new IllegalArgumentException(
            "root key id '" + id + "' is not 64 hex digits (a Notary key id)");
      }
      checked.add(lower);
    }
    return new RootKeyPins(checked, List.of());
  }

  /** Pins the keys of the certificates and public keys in {@code pem}. */
  public static RootKeyPins ofPem(String pem) {
    List<PublicKey> keys = new ArrayList<>();
    for (X509Certificate certificate : CertificatePem.parseAll(pem)) {
      keys.add(certificate.getPublicKey());
    }
    for (PemBlock block : PemBlock.readAll(pem)) {
      if (PublicKeyPem.LABEL.equals(block.label())) {
        keys.add(PublicKeyPem.fromDer(block.content()));
      }
    }
    if (keys.isEmpty()) {
      throw new KeyFormatException("no PEM certificate or public key to pin");
    }
    return new RootKeyPins(Set.of(), keys);
  }

  /** True when the key object {@code key}, listed under {@code tufKeyId}, is pinned. */
  public boolean pins(String tufKeyId, JsonNode key) {
    if (keyIds.contains(tufKeyId)) {
      return true;
    }
    Optional<PublicKey> publicKey = NotaryKeyTypes.publicKey(key);
    if (publicKey.isEmpty()) {
      return false;
    }
    byte[] encoded = publicKey.get().getEncoded();
    if (keyIds.contains(canonicalKeyId(key.path("keytype").asText(), encoded))) {
      return true;
    }
    return keys.stream().anyMatch(k -> Arrays.equals(k.getEncoded(), encoded));
  }

  /**
   * Notary's canonical key id ({@code utils.CanonicalKeyID}): for an x509 key, the id of the key
   * type without {@code -x509} whose public value is the certificate's SubjectPublicKeyInfo.
   */
  static String canonicalKeyId(String keytype, byte[] spki) {
    String bare = keytype.endsWith("-x509") ? keytype.substring(0, keytype.length() - 5) : keytype;
    if (bare.equals("ed25519")) {
      // an ed25519 key's public value is the raw key, the SPKI's last 32 bytes
      spki = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    }
    return KeyIds.notary(bare, Base64.getEncoder().encodeToString(spki));
  }
}
