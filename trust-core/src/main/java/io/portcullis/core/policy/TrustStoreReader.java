package io.portcullis.core.policy;

import io.portcullis.core.dct.Gun;
import io.portcullis.core.dct.RootKeyPins;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.registry.CredentialsFile;
import io.portcullis.core.sigstore.SigstoreFormatException;
import io.portcullis.core.sigstore.TrustedRoot;
import io.portcullis.core.x509.CertificateChainException;
import io.portcullis.core.x509.CertificateReader;
import io.portcullis.core.x509.TrustStore;
import io.portcullis.core.x509.TrustStoreType;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code trustStores} section and the files it names, so an unreadable key or a
 * certificate that cannot be a trust anchor is reported at load time with its key path.
 */
final class TrustStoreReader {
  /** As Notation names trust stores; the name also appears in messages and metrics. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private static final Pattern KEY_ID = Pattern.compile("[0-9a-fA-F]{64}");

  private static final long MAX_FILE_BYTES = 1024 * 1024;

  private final Path baseDir;
  private final SigstoreRoots sigstoreRoots;
  private final Map<Path, Digest> filesRead = new LinkedHashMap<>();
  private final Map<String, Digest> refreshedRoots = new LinkedHashMap<>();

  TrustStoreReader(Path baseDir, SigstoreRoots sigstoreRoots) {
    this.baseDir = baseDir;
    this.sigstoreRoots = sigstoreRoots;
  }

  /**
   * The digests of the TUF-refreshed trusted roots in force, by store name: part of the policy's
   * revision, so a refreshed root re-decides what the old one approved.
   */
  Map<String, Digest> refreshedRoots() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(refreshedRoots));
  }

  /**
   * The key and certificate files read so far, in order, with the digests of the bytes read: what
   * the policy trusts besides its own text, so part of its revision.
   */
  Map<Path, Digest> filesRead() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(filesRead));
  }

  Map<String, PolicyTrustStore> read(PolicyNode section) {
    if (!section.raw().isObject() || section.raw().isEmpty()) {
      throw section.fail(
          "must map store names to stores, e.g. release-keys: {type: cosign, keys: [release.pub]}");
    }
    Map<String, PolicyTrustStore> stores = new LinkedHashMap<>();
    for (String name : section.keys()) {
      PolicyNode entry = section.child(name);
      if (!NAME.matcher(name).matches()) {
        throw entry.fail("invalid trust store name; use letters, digits, '.', '_' or '-'");
      }
      stores.put(name, store(name, entry));
    }
    stores.forEach(
        (name, store) -> {
          if (store instanceof CosignTrustStore keys && keys.logs().isPresent()) {
            checkLogs(section.child(name).child("sigstore"), keys.logs().get(), stores);
          }
        });
    return stores;
  }

  /** A cosign store's {@code sigstore} names a {@code sigstore} store of this policy. */
  private static void checkLogs(
      PolicyNode node, String logs, Map<String, PolicyTrustStore> stores) {
    String sigstores =
        String.join(
            ", ",
            stores.values().stream()
                .filter(SigstoreTrustStore.class::isInstance)
                .map(PolicyTrustStore::name)
                .toList());
    PolicyTrustStore named = stores.get(logs);
    if (!(named instanceof SigstoreTrustStore)) {
      throw node.fail(
          "'"
              + logs
              + "' is not a sigstore store of trustStores (sigstore stores: "
              + (sigstores.isEmpty() ? "none" : sigstores)
              + "); name the store whose trusted root lists the transparency log these keys'"
              + " signatures are logged in, e.g. {type: sigstore, trustedRoot:"
              + " certs/trusted_root.json}");
    }
  }

  private PolicyTrustStore store(String name, PolicyNode entry) {
    if (!entry.raw().isObject()) {
      throw entry.fail("must be a mapping with a type: cosign, x509, sigstore or notary-v1");
    }
    String type =
        entry
            .require(
                "type",
                "use cosign (public keys), x509 (CA certificates) or sigstore (a Sigstore"
                    + " trusted root, for keyless signatures)")
            .text();
    return switch (type) {
      case "cosign" -> cosign(name, entry.object(Set.of("type", "keys", "sigstore")));
      case "x509" -> x509(name, entry.object(Set.of("type", "certificates", "tsa")));
      case "sigstore" -> sigstore(name, entry.object(Set.of("type", "trustedRoot", "tuf")));
      case "notary-v1" ->
          notary(
              name,
              entry.object(
                  Set.of("type", "server", "caFile", "credentialsFile", "rootKeys", "gun")));
      default ->
          throw entry
              .child("type")
              .fail(
                  "unknown trust store type '"
                      + type
                      + "'; use cosign, x509, sigstore or notary-v1");
    };
  }

  private CosignTrustStore cosign(String name, PolicyNode entry) {
    List<TrustedKey> keys = new ArrayList<>();
    for (PolicyNode item :
        entry.require("keys", "list PEM public key files").list("list PEM public key files")) {
      Path file = file(item);
      PublicKey key;
      try {
        key = PublicKeyPem.parse(new String(bytes(item, file), StandardCharsets.UTF_8));
      } catch (KeyFormatException e) {
        throw item.fail(item.raw().asText() + " is not a usable PEM public key: " + e.getMessage());
      }
      keys.add(TrustedKey.of(key, file));
    }
    // checked once every store is read: the sigstore store may come later in the file
    Optional<String> logs = entry.get("sigstore").map(PolicyNode::text);
    return new CosignTrustStore(name, keys, logs);
  }

  /**
   * A Sigstore trusted root: the {@code trustedRoot} file (read now, so its bytes are part of the
   * revision and a change reloads the policy), or the TUF-refreshed root {@link SigstoreRoots}
   * holds, optionally from a {@code tuf} mirror with its own pinned TUF root.
   */
  private SigstoreTrustStore sigstore(String name, PolicyNode entry) {
    Optional<PolicyNode> fileNode = entry.get("trustedRoot");
    Optional<PolicyNode> tufNode = entry.get("tuf");
    if (fileNode.isPresent()) {
      if (tufNode.isPresent()) {
        throw tufNode
            .get()
            .fail("a store reads either a trustedRoot file or a TUF repository; remove one");
      }
      Path file = file(fileNode.get());
      try {
        TrustedRoot root = TrustedRoot.parse(bytes(fileNode.get(), file));
        return new SigstoreTrustStore(name, Optional.of(file), Optional.empty(), root);
      } catch (SigstoreFormatException e) {
        throw fileNode
            .get()
            .fail(
                fileNode.get().text() + " is not a Sigstore trusted_root.json: " + e.getMessage());
      }
    }
    Optional<SigstoreTrustStore.TufSettings> tuf = tufNode.map(this::tuf);
    TrustedRoot root;
    try {
      root = sigstoreRoots.current(name, tuf);
    } catch (IllegalStateException | SigstoreFormatException e) {
      throw entry.fail("no trusted root available: " + e.getMessage());
    }
    refreshedRoots.put(name, new Digest("sha256", HexFormat.of().formatHex(root.sha256())));
    return new SigstoreTrustStore(name, Optional.empty(), tuf, root);
  }

  private SigstoreTrustStore.TufSettings tuf(PolicyNode node) {
    node.object(Set.of("url", "root"));
    PolicyNode url = node.require("url", "give the TUF repository's URL, e.g. a mirror's");
    String text = url.text();
    if (!text.startsWith("https://") && !text.startsWith("http://")) {
      throw url.fail("'" + text + "' is not an http(s) URL");
    }
    Optional<Path> root = node.get("root").map(this::file);
    root.ifPresent(
        path -> {
          // read now so the pinned TUF root is part of the revision and watched for changes
          bytes(node.child("root"), path);
        });
    return new SigstoreTrustStore.TufSettings(text, root);
  }

  /**
   * A Notary v1 server for {@code dct} requirements: its URL, the CA its TLS certificate chains to,
   * the credentials for its token service, the pinned root keys (PEM files or key ids; none for
   * trust on first use) and the GUN template. Files are read now, so a change reloads the policy.
   */
  private NotaryTrustStore notary(String name, PolicyNode entry) {
    PolicyNode serverNode =
        entry.require("server", "give the Notary server's URL, e.g. https://notary.example.com");
    String text = serverNode.text();
    URI server;
    try {
      server = new URI(text);
    } catch (URISyntaxException e) {
      throw serverNode.fail("'" + text + "' is not a URL");
    }
    if (!("https".equals(server.getScheme()) || "http".equals(server.getScheme()))
        || server.getHost() == null
        || server.getRawQuery() != null
        || server.getRawFragment() != null) {
      throw serverNode.fail(
          "'" + text + "' is not an http(s) URL of a Notary server, e.g. https://notary.corp:4443");
    }
    Optional<Path> caFile = entry.get("caFile").map(node -> readFile(node));
    caFile.ifPresent(
        file -> {
          PolicyNode node = entry.child("caFile");
          try {
            CertificateReader.read(Files.readAllBytes(file), node.text());
          } catch (CertificateChainException | IOException e) {
            throw node.fail(node.text() + " holds no PEM CA certificate: " + e.getMessage());
          }
        });
    Optional<Path> credentials =
        entry
            .get("credentialsFile")
            .map(
                node -> {
                  Path file = file(node);
                  try {
                    // checked now; never recorded in the revision's file list, it is a secret
                    CredentialsFile.read(file);
                  } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                    throw node.fail(e.getMessage());
                  }
                  return file;
                });
    Optional<RootKeyPins> pins = entry.get("rootKeys").map(this::rootKeys);
    String template = entry.get("gun").map(PolicyNode::text).orElse(Gun.DEFAULT_TEMPLATE);
    try {
      Gun.of("registry.example:5000", "team/app", template);
    } catch (IllegalArgumentException e) {
      throw entry.child("gun").fail(e.getMessage());
    }
    return new NotaryTrustStore(name, server, caFile, credentials, pins, template);
  }

  /** {@code rootKeys}: PEM certificate or public key files, or Notary key ids (64 hex digits). */
  private RootKeyPins rootKeys(PolicyNode node) {
    String hint = "list root certificate files (certs/root.pem) or Notary root key ids";
    List<String> ids = new ArrayList<>();
    List<PublicKey> keys = new ArrayList<>();
    for (PolicyNode item : node.list(hint)) {
      String text = item.text();
      if (KEY_ID.matcher(text).matches()) {
        ids.add(text.toLowerCase(java.util.Locale.ROOT));
        continue;
      }
      Path file = file(item);
      try {
        keys.addAll(
            RootKeyPins.ofPem(new String(bytes(item, file), StandardCharsets.UTF_8)).keys());
      } catch (IllegalArgumentException e) {
        throw item.fail(text + " is not a PEM certificate or public key: " + e.getMessage());
      }
    }
    if (ids.isEmpty() && keys.isEmpty()) {
      throw node.fail(hint + "; leave rootKeys out for trust on first use");
    }
    return new RootKeyPins(java.util.Set.copyOf(ids), keys);
  }

  private Path readFile(PolicyNode node) {
    Path file = file(node);
    bytes(node, file);
    return file;
  }

  private X509TrustStore x509(String name, PolicyNode entry) {
    String hint = "list PEM or DER CA certificate files";
    TrustStore ca =
        certificates(entry.require("certificates", hint), TrustStoreType.CA, name, hint);
    Optional<TrustStore> tsa =
        entry
            .get("tsa")
            .map(
                node ->
                    certificates(
                        node,
                        TrustStoreType.TSA,
                        name,
                        "list timestamping root certificate files"));
    return new X509TrustStore(name, ca, tsa);
  }

  private TrustStore certificates(PolicyNode node, TrustStoreType type, String name, String hint) {
    List<X509Certificate> certs = new ArrayList<>();
    for (PolicyNode item : node.list(hint)) {
      Path file = file(item);
      try {
        certs.addAll(CertificateReader.read(bytes(item, file), item.raw().asText()));
      } catch (CertificateChainException e) {
        throw item.fail(e.getMessage());
      }
    }
    try {
      return new TrustStore(type, name, certs);
    } catch (CertificateChainException e) {
      throw node.fail(e.getMessage() + "; list only root or intermediate CA certificates");
    }
  }

  /** The file an item names, resolved against the policy file's directory; it must exist. */
  private Path file(PolicyNode item) {
    Path file = baseDir.resolve(item.text()).normalize();
    if (!Files.isRegularFile(file)) {
      throw item.fail(
          item.text() + " not found (" + file + "); paths are relative to the policy file");
    }
    return file;
  }

  private byte[] bytes(PolicyNode item, Path file) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw item.fail(
            item.text() + " is over 1 MiB; it is not a key, certificate or trusted root file");
      }
      byte[] bytes = Files.readAllBytes(file);
      filesRead.put(file, Digest.sha256(bytes));
      return bytes;
    } catch (IOException e) {
      throw item.fail("cannot read " + item.text() + ": " + e.getMessage());
    }
  }
}
