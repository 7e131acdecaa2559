package io.portcullis.core.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portcullis.core.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads and validates a trust policy file (schema in {@code trust-policies/README.md}). Everything
 * is checked before the policy is used, as the Notary Project's <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-policy">trust
 * policy</a> requires: unknown keys, modes, types and pin modes, trust stores that are missing,
 * unreadable or of the wrong type, identities that do not parse, empty or duplicated scopes and
 * names, thresholds out of range. The first problem is thrown as a {@link PolicyException} with a
 * one-line message naming its key path.
 */
public final class TrustPolicyLoader {
  /** A policy is a page of YAML; anything far bigger is a mistake or an attack on the parser. */
  static final int MAX_BYTES = 1024 * 1024;

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private TrustPolicyLoader() {}

  /**
   * Loads {@code file}; relative paths inside it resolve against its directory. A {@code sigstore}
   * store without a {@code trustedRoot} file gets the public-good root shipped in the jar.
   */
  public static TrustPolicy load(Path file) throws PolicyException {
    return load(file, ShippedSigstoreRoot.ROOTS);
  }

  /**
   * Loads {@code file}, taking the trusted roots of {@code sigstore} stores without a {@code
   * trustedRoot} file from {@code roots} (the gateway's TUF-refreshed roots).
   */
  public static TrustPolicy load(Path file, SigstoreRoots roots) throws PolicyException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new PolicyException(file.toString(), "", "policy file is over 1 MiB");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new PolicyException(file.toString(), "", "policy file " + file + " not found");
    } catch (IOException e) {
      throw new PolicyException(
          file.toString(), "", "cannot read policy file " + file + ": " + e.getMessage());
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(bytes, dir, file.toString(), roots);
  }

  /**
   * Parses {@code yaml}; relative file paths in it resolve against {@code baseDir}, and {@code
   * source} names the document in exceptions.
   */
  public static TrustPolicy parse(byte[] yaml, Path baseDir, String source) throws PolicyException {
    return parse(yaml, baseDir, source, ShippedSigstoreRoot.ROOTS);
  }

  /** As {@link #parse(byte[], Path, String)}, with the given source of refreshed Sigstore roots. */
  public static TrustPolicy parse(byte[] yaml, Path baseDir, String source, SigstoreRoots roots)
      throws PolicyException {
    if (yaml.length > MAX_BYTES) {
      throw new PolicyException(source, "", "policy file is over 1 MiB");
    }
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new PolicyException(source, "", "not valid YAML: " + describe(e));
    } catch (IOException e) {
      throw new PolicyException(source, "", "cannot read the policy: " + e.getMessage());
    }
    if (tree == null || tree.isMissingNode()) {
      throw new PolicyException(source, "", "the policy file is empty; start with 'version: 1'");
    }
    PolicyNode root =
        new PolicyNode(tree, "", source).object(Set.of("version", "trustStores", "policies"));
    PolicyNode version = root.require("version", "write 'version: 1'");
    if (!version.raw().isInt() || version.raw().intValue() != 1) {
      throw version.fail("unsupported version " + version.describe() + "; this gateway reads 1");
    }
    TrustStoreReader storeReader = new TrustStoreReader(baseDir, roots);
    Map<String, PolicyTrustStore> stores =
        root.get("trustStores").map(storeReader::read).orElse(Map.of());
    PolicyReader reader = new PolicyReader(stores, baseDir);
    List<Policy> policies = new ArrayList<>();
    Map<String, String> scopeOwners = new HashMap<>();
    String hint = "list at least one policy, e.g. {name: default, scopes: ['**'], mode: audit}";
    for (PolicyNode entry : root.require("policies", hint).list(hint)) {
      Policy policy = reader.read(entry);
      checkUnique(entry, policy, policies, scopeOwners);
      policies.add(policy);
    }
    Map<Path, Digest> files = storeReader.filesRead();
    return new TrustPolicy(
        source,
        revision(yaml, files, storeReader.refreshedRoots()),
        List.copyOf(files.keySet()),
        stores,
        policies);
  }

  /**
   * {@code sha256:} of the policy's bytes, and of each key, certificate and trusted root file it
   * read (path and digest), and of each TUF-refreshed Sigstore trusted root in force (store name
   * and digest): replacing a key file or refreshing a root is a new revision even when the policy
   * text stays the same, so the approvals made under the old trust end. Without files or refreshed
   * roots, the digest of the text alone.
   */
  static String revision(byte[] yaml, Map<Path, Digest> files, Map<String, Digest> roots) {
    if (files.isEmpty() && roots.isEmpty()) {
      return Digest.sha256(yaml).toString();
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(yaml);
    files.forEach(
        (path, digest) ->
            all.writeBytes(("\n" + path + "\n" + digest).getBytes(StandardCharsets.UTF_8)));
    roots.forEach(
        (store, digest) ->
            all.writeBytes(
                ("\nsigstore:" + store + "\n" + digest).getBytes(StandardCharsets.UTF_8)));
    return Digest.sha256(all.toByteArray()).toString();
  }

  /** Names must be unique; an identical scope in two policies would make matching a coin toss. */
  private static void checkUnique(
      PolicyNode entry, Policy policy, List<Policy> earlier, Map<String, String> scopeOwners) {
    if (earlier.stream().anyMatch(p -> p.name().equals(policy.name()))) {
      throw entry
          .child("name")
          .fail(
              "'"
                  + policy.name()
                  + "' is already the name of another policy; names must be unique");
    }
    for (int i = 0; i < policy.scopes().size(); i++) {
      String scope = policy.scopes().get(i);
      String owner = scopeOwners.putIfAbsent(scope, policy.name());
      if (owner != null) {
        throw entry.failAt(
            ".scopes[" + i + "]",
            "'"
                + scope
                + "' is also a scope of policy '"
                + owner
                + "', so both would match with equal specificity; keep it in one policy");
      }
    }
  }

  private static String describe(JsonProcessingException e) {
    // SnakeYAML's message echoes the offending source line after each "in 'reader'" line
    List<String> kept = new ArrayList<>();
    boolean echo = false;
    for (String line : e.getOriginalMessage().lines().map(String::strip).toList()) {
      if (line.startsWith("in '")) {
        echo = true;
      } else if (echo) {
        echo = false;
      } else if (!line.isEmpty() && !line.equals("^")) {
        kept.add(line);
      }
    }
    String lines = String.join(": ", kept);
    var where = e.getLocation();
    return (where == null
            ? ""
            : "line " + where.getLineNr() + ", column " + where.getColumnNr() + ": ")
        + lines.replace("Duplicate field", "duplicate key");
  }
}
