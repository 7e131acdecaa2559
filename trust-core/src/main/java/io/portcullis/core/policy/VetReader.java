package io.portcullis.core.policy;

import io.portcullis.core.sigstore.CertificateIdentity;
import io.portcullis.core.time.Durations;
import io.portcullis.core.vet.AttestationKind;
import io.portcullis.core.vet.AttestationRule;
import io.portcullis.core.vet.ConfigRules;
import io.portcullis.core.vet.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a policy's {@code config}, {@code sources}, {@code baseImages} and {@code attestations}.
 */
final class VetReader {
  static final Set<String> KEYS = Set.of("config", "sources", "baseImages", "attestations");

  private final Map<String, PolicyTrustStore> stores;

  VetReader(Map<String, PolicyTrustStore> stores) {
    this.stores = stores;
  }

  VetRules read(PolicyNode entry) {
    Optional<ConfigRules> config = entry.get("config").map(VetReader::config);
    List<ScopePattern> sources =
        entry
            .get("sources")
            .map(n -> globs(n, "repository globs such as 'internal/**'"))
            .orElse(List.of());
    List<ScopePattern> baseImages =
        entry
            .get("baseImages")
            .map(n -> globs(n, "base image globs such as 'docker.io/library/alpine*'"))
            .orElse(List.of());
    List<AttestationRule> attestations = new ArrayList<>();
    entry
        .get("attestations")
        .ifPresent(
            list -> {
              String hint =
                  "list rules such as {type: vuln, trustStore: release-keys, failOn: HIGH}";
              for (PolicyNode item : list.list(hint)) {
                attestations.add(attestation(item));
              }
            });
    return new VetRules(config, sources, baseImages, attestations);
  }

  private static ConfigRules config(PolicyNode node) {
    node.object(Set.of("nonRoot", "noSecretsInEnv", "allowedPorts", "requiredLabels", "maxAge"));
    boolean nonRoot = node.get("nonRoot").map(PolicyNode::bool).orElse(false);
    boolean noSecrets = node.get("noSecretsInEnv").map(PolicyNode::bool).orElse(false);
    Optional<List<Integer>> ports =
        node.get("allowedPorts")
            .map(
                list -> {
                  if (list.raw().isArray() && list.raw().isEmpty()) {
                    return List.of();
                  }
                  List<Integer> out = new ArrayList<>();
                  for (PolicyNode port : list.list("list port numbers such as [8080, 8443]")) {
                    int n = port.integer();
                    if (n < 1 || n > 65535) {
                      throw port.fail(n + " is not a port; use 1 to 65535");
                    }
                    out.add(n);
                  }
                  return out;
                });
    List<String> labels = new ArrayList<>();
    node.get("requiredLabels")
        .ifPresent(
            list -> {
              for (PolicyNode label :
                  list.list("list label keys such as [org.opencontainers.image.source]")) {
                labels.add(label.text());
              }
            });
    Optional<Duration> maxAge = node.get("maxAge").map(VetReader::duration);
    return new ConfigRules(nonRoot, noSecrets, ports, labels, maxAge);
  }

  private static Duration duration(PolicyNode node) {
    try {
      return Durations.parse(node.text());
    } catch (IllegalArgumentException e) {
      throw node.fail(e.getMessage());
    }
  }

  private static List<ScopePattern> globs(PolicyNode node, String what) {
    node.object(Set.of("allow"));
    String hint = "list " + what;
    List<ScopePattern> out = new ArrayList<>();
    for (PolicyNode glob : node.require("allow", hint).list(hint)) {
      String text = glob.raw().isTextual() ? glob.raw().asText() : "";
      ScopePattern.problem(text)
          .ifPresent(
              problem -> {
                throw glob.fail(problem);
              });
      out.add(ScopePattern.parse(text));
    }
    return out;
  }

  private AttestationRule attestation(PolicyNode item) {
    item.object(Set.of("type", "trustStore", "failOn", "maxAge", "builderId", "identities"));
    PolicyNode typeNode = item.require("type", "use vuln or slsaprovenance");
    AttestationKind kind =
        AttestationKind.of(typeNode.text())
            .orElseThrow(
                () ->
                    typeNode.fail(
                        "unknown attestation type "
                            + typeNode.describe()
                            + "; use vuln or slsaprovenance"));
    PolicyNode storeNode = item.require("trustStore", "name a cosign entry of trustStores");
    String storeName = storeNode.text();
    PolicyTrustStore store = stores.get(storeName);
    if (store == null) {
      throw storeNode.fail("'" + storeName + "' is not defined in trustStores");
    }
    if (!(store instanceof CosignTrustStore) && !(store instanceof SigstoreTrustStore)) {
      throw storeNode.fail(
          "'"
              + storeName
              + "' is a "
              + store.typeName()
              + " store, but attestations are verified with keys or keyless; name a store of type"
              + " cosign or sigstore");
    }
    List<CertificateIdentity> identities = List.of();
    if (store instanceof SigstoreTrustStore) {
      identities = KeylessIdentityReader.read(item);
    } else if (item.get("identities").isPresent()) {
      throw item.child("identities")
          .fail("applies to sigstore stores only; a cosign key is its own identity");
    }
    Optional<Severity> failOn = item.get("failOn").map(VetReader::severity);
    Optional<Duration> maxAge = item.get("maxAge").map(VetReader::duration);
    Optional<String> builderId = item.get("builderId").map(PolicyNode::text);
    if (kind == AttestationKind.VULN && builderId.isPresent()) {
      throw item.child("builderId").fail("applies to slsaprovenance only; remove it");
    }
    if (kind == AttestationKind.SLSAPROVENANCE) {
      for (String key : List.of("failOn", "maxAge")) {
        if (item.get(key).isPresent()) {
          throw item.child(key).fail("applies to vuln only; remove it");
        }
      }
    }
    return new AttestationRule(kind, storeName, failOn, maxAge, builderId, identities);
  }

  private static Severity severity(PolicyNode node) {
    return Severity.of(node.text())
        .orElseThrow(
            () ->
                node.fail(
                    "unknown severity " + node.describe() + "; use one of " + Severity.names()));
  }
}
