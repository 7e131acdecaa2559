package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.PublicKeyPem;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Builds small TUF repositories signed by keys made in the test, for cases no vector covers. */
public final class TestRepository {
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  static final Instant EXPIRES = Instant.parse("2030-01-01T00:00:00Z");

  /** A key with its TUF key object and id. */
  record Key(String id, String keytype, String scheme, String publicValue, KeyPair pair) {
    ObjectNode json() {
      ObjectNode key = JSON.objectNode().put("keytype", keytype).put("scheme", scheme);
      key.putObject("keyval").put("public", publicValue);
      return key;
    }

    byte[] sign(byte[] data) {
      try {
        Signature signature =
            switch (scheme) {
              case "ecdsa-sha2-nistp256" -> Signature.getInstance("SHA256withECDSA");
              case "ed25519" -> Signature.getInstance("Ed25519");
              default -> {
                Signature pss = Signature.getInstance("RSASSA-PSS");
                pss.setParameter(
                    new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                yield pss;
              }
            };
        signature.initSign(pair.getPrivate());
        signature.update(data);
        return signature.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static Key ecdsa(String id) {
    KeyPair pair = generate("EC", new ECGenParameterSpec("secp256r1"));
    return new Key(id, "ecdsa", "ecdsa-sha2-nistp256", PublicKeyPem.encode(pair.getPublic()), pair);
  }

  static Key ed25519(String id) {
    KeyPair pair = generate("Ed25519", null);
    byte[] spki = pair.getPublic().getEncoded();
    String raw = HexFormat.of().formatHex(Arrays.copyOfRange(spki, spki.length - 32, spki.length));
    return new Key(id, "ed25519", "ed25519", raw, pair);
  }

  static Key rsa(String id) {
    KeyPair pair = generate("RSA", null);
    return new Key(id, "rsa", "rsassa-pss-sha256", PublicKeyPem.encode(pair.getPublic()), pair);
  }

  /**
   * A new key pair: EC on {@code spec}, RSA 2048, or Ed25519 (also Notary's, {@code
   * dct.NotaryRepository}).
   */
  public static KeyPair generate(String algorithm, ECGenParameterSpec spec) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (spec != null) {
        generator.initialize(spec);
      } else if (algorithm.equals("RSA")) {
        generator.initialize(2048);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A root whose roles are given as key lists, each with threshold 1 unless the root's. */
  static ObjectNode root(long version, int rootThreshold, Map<String, List<Key>> roles) {
    ObjectNode signed = common("root", version).put("consistent_snapshot", true);
    ObjectNode keys = signed.putObject("keys");
    ObjectNode roleObjects = signed.putObject("roles");
    roles.forEach(
        (role, list) -> {
          ObjectNode r = roleObjects.putObject(role);
          ArrayNode ids = r.putArray("keyids");
          list.forEach(
              k -> {
                keys.set(k.id(), k.json());
                ids.add(k.id());
              });
          r.put("threshold", role.equals("root") ? rootThreshold : 1);
        });
    return signed;
  }

  static ObjectNode common(String type, long version) {
    return JSON.objectNode()
        .put("_type", type)
        .put("spec_version", "1.0")
        .put("version", version)
        .put("expires", EXPIRES.toString());
  }

  static ObjectNode timestamp(long version, byte[] snapshot, long snapshotVersion) {
    ObjectNode signed = common("timestamp", version);
    signed.putObject("meta").set("snapshot.json", meta(snapshot, snapshotVersion));
    return signed;
  }

  static ObjectNode snapshot(long version, byte[] targets, long targetsVersion) {
    ObjectNode signed = common("snapshot", version);
    signed.putObject("meta").set("targets.json", meta(targets, targetsVersion));
    return signed;
  }

  static ObjectNode targets(long version, Map<String, byte[]> files) {
    ObjectNode signed = common("targets", version);
    ObjectNode targets = signed.putObject("targets");
    files.forEach(
        (name, bytes) -> {
          ObjectNode t = targets.putObject(name).put("length", bytes.length);
          t.putObject("hashes").put("sha256", sha256(bytes));
        });
    return signed;
  }

  private static ObjectNode meta(byte[] file, long version) {
    ObjectNode meta = JSON.objectNode().put("version", version).put("length", file.length);
    meta.putObject("hashes").put("sha256", sha256(file));
    return meta;
  }

  /** The metadata file: {@code signed} with one signature per key listed (repeats allowed). */
  static byte[] sign(JsonNode signed, Key... keys) {
    byte[] canonical = CanonicalJson.INSTANCE.canonicalize(signed);
    ObjectNode document = JSON.objectNode();
    ArrayNode signatures = document.putArray("signatures");
    for (Key key : keys) {
      signatures
          .addObject()
          .put("keyid", key.id())
          .put("sig", HexFormat.of().formatHex(key.sign(canonical)));
    }
    document.set("signed", signed);
    return StrictJson.write(document);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private TestRepository() {}
}
