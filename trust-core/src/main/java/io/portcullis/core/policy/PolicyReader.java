package io.portcullis.core.policy;

import io.portcullis.core.dct.DctVerifier;
import io.portcullis.core.policy.SignatureRule.Combinator;
import io.portcullis.core.sigstore.CertificateIdentity;
import io.portcullis.core.x509.TrustedIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads one entry of {@code policies}, checking it against the already-read trust stores. */
final class PolicyReader {
  static final Set<String> POLICY_KEYS =
      Set.of(
          "name",
          "scopes",
          "mode",
          "signatures",
          "verification",
          "tags",
          "config",
          "sources",
          "baseImages",
          "attestations");

  /** {@code targets} or a delegation below it, as Notary names roles. */
  private static final Pattern ROLE = Pattern.compile("targets(/[A-Za-z0-9_.-]+)*");

  private final Map<String, PolicyTrustStore> stores;
  private final Path baseDir;

  PolicyReader(Map<String, PolicyTrustStore> stores, Path baseDir) {
    this.stores = stores;
    this.baseDir = baseDir;
  }

  Policy read(PolicyNode entry) {
    entry.object(POLICY_KEYS);
    String name = entry.require("name", "give the policy a unique name").text();
    List<String> scopes = new ArrayList<>();
    for (PolicyNode scope :
        entry
            .require("scopes", "list repository globs such as 'team/app/**' or '**'")
            .list("list repository globs such as 'team/app/**' or '**'")) {
      String glob = scope.raw().isTextual() ? scope.raw().asText() : "";
      ScopePattern.problem(glob)
          .ifPresent(
              problem -> {
                throw scope.fail(problem);
              });
      if (scopes.contains(glob)) {
        throw scope.fail("'" + glob + "' is listed twice; remove one");
      }
      scopes.add(glob);
    }
    Mode mode = entry.get("mode").map(PolicyReader::mode).orElse(Mode.ENFORCE);
    Optional<SignatureRule> signatures = entry.get("signatures").map(this::signatures);
    VerificationActions verification =
        entry
            .get("verification")
            .map(PolicyReader::verification)
            .orElse(VerificationActions.STRICT);
    TagRules tags = entry.get("tags").map(this::tags).orElse(TagRules.DEFAULT);
    VetRules vetting = new VetReader(stores).read(entry);
    return new Policy(name, scopes, mode, tags, signatures, verification, vetting);
  }

  private static Mode mode(PolicyNode node) {
    // YAML 1.1 reads a bare `off` as the boolean false; that is what the author meant.
    if (node.raw().isBoolean() && !node.raw().booleanValue()) {
      return Mode.OFF;
    }
    return switch (node.raw().isTextual() ? node.raw().asText() : "") {
      case "enforce" -> Mode.ENFORCE;
      case "audit" -> Mode.AUDIT;
      case "off" -> Mode.OFF;
      default -> throw node.fail("unknown mode " + node.describe() + "; use enforce, audit or off");
    };
  }

  private SignatureRule signatures(PolicyNode node) {
    node.object(Set.of("anyOf", "allOf", "threshold"));
    List<String> keys = node.keys();
    if (keys.size() != 1) {
      throw node.fail(
          "give exactly one of anyOf, allOf or threshold"
              + (keys.isEmpty() ? "" : " (found " + String.join(", ", keys) + ")"));
    }
    String hint = "list requirements such as {type: cosign, trustStore: release-keys}";
    return switch (keys.get(0)) {
      case "anyOf" ->
          new SignatureRule(Combinator.ANY_OF, 1, requirements(node.child("anyOf"), hint));
      case "allOf" -> {
        List<SignatureRequirement> all = requirements(node.child("allOf"), hint);
        yield new SignatureRule(Combinator.ALL_OF, all.size(), all);
      }
      default -> {
        PolicyNode threshold = node.child("threshold").object(Set.of("n", "of"));
        List<SignatureRequirement> of = requirements(threshold.require("of", hint), hint);
        PolicyNode n = threshold.require("n", "say how many of the requirements must be met");
        int required = n.integer();
        if (required < 1 || required > of.size()) {
          throw n.fail(
              required
                  + " is out of range; use 1 to "
                  + of.size()
                  + " (the number of 'of' entries)");
        }
        yield new SignatureRule(Combinator.THRESHOLD, required, of);
      }
    };
  }

  private List<SignatureRequirement> requirements(PolicyNode list, String hint) {
    List<SignatureRequirement> out = new ArrayList<>();
    for (PolicyNode item : list.list(hint)) {
      SignatureRequirement requirement = requirement(item);
      if (out.contains(requirement)) {
        throw item.fail("repeats an earlier requirement; remove one");
      }
      out.add(requirement);
    }
    return out;
  }

  private SignatureRequirement requirement(PolicyNode item) {
    item.object(Set.of("type", "trustStore", "identities", "tlog", "roles"));
    PolicyNode typeNode =
        item.require(
            "type", "use cosign (keys, or keyless with a sigstore store), notation or dct");
    SignatureType type =
        switch (typeNode.text()) {
          case "cosign" -> SignatureType.COSIGN;
          case "notation" -> SignatureType.NOTATION;
          case "dct" -> SignatureType.DCT;
          default ->
              throw typeNode.fail(
                  "unknown signature type "
                      + typeNode.describe()
                      + "; use cosign, notation or dct");
        };
    Optional<PolicyNode> rolesNode = item.get("roles");
    if (type != SignatureType.DCT && rolesNode.isPresent()) {
      throw rolesNode.get().fail("applies to dct requirements only");
    }
    PolicyNode storeNode = item.require("trustStore", "name an entry of trustStores");
    String storeName = storeNode.text();
    PolicyTrustStore store = stores.get(storeName);
    if (store == null) {
      throw storeNode.fail(
          "'" + storeName + "' is not defined in trustStores (defined: " + names(null) + ")");
    }
    if (store.serves() != type) {
      String wanted =
          switch (type) {
            case COSIGN -> "cosign or sigstore";
            case NOTATION -> "x509";
            case DCT -> "notary-v1";
          };
      throw storeNode.fail(
          "'"
              + storeName
              + "' is a "
              + store.typeName()
              + " store, but a "
              + type.policyName()
              + " requirement needs a store of type "
              + wanted
              + " (defined: "
              + names(type)
              + ")");
    }
    List<TrustedIdentity> identities = new ArrayList<>();
    Optional<PolicyNode> identitiesNode = item.get("identities");
    Optional<PolicyNode> tlogNode = item.get("tlog");
    if (type == SignatureType.DCT) {
      for (Optional<PolicyNode> other : List.of(identitiesNode, tlogNode)) {
        if (other.isPresent()) {
          throw other
              .get()
              .fail("does not apply to dct requirements; the Notary root is the trust");
        }
      }
      return SignatureRequirement.dct(
          storeName, rolesNode.map(PolicyReader::roles).orElse(DctVerifier.DOCKER_ROLES));
    }
    if (type == SignatureType.NOTATION && tlogNode.isPresent()) {
      throw tlogNode.get().fail("applies to cosign requirements only");
    }
    if (store instanceof SigstoreTrustStore) {
      List<CertificateIdentity> keyless = KeylessIdentityReader.read(item);
      // Keyless defaults to a required log entry; optional is for deployments with a timestamp
      // authority and no Rekor: the signing time must then come from a verified RFC 3161 stamp.
      boolean keylessTlog = tlogNode.map(PolicyReader::tlog).orElse(true);
      return new SignatureRequirement(type, storeName, List.of(), keyless, keylessTlog);
    }
    if (type == SignatureType.COSIGN) {
      if (identitiesNode.isPresent()) {
        throw identitiesNode
            .get()
            .fail(
                "applies to notation requirements and to cosign requirements naming a sigstore"
                    + " store; a cosign key is its own identity");
      }
      boolean tlog = tlogNode.map(PolicyReader::tlog).orElse(false);
      return new SignatureRequirement(type, storeName, List.of(), List.of(), tlog);
    } else {
      String hint =
          "list trusted signers such as 'x509.subject: C=US, ST=WA, O=Example, CN=Release', or"
              + " '*' for any signer the trust store vouches for";
      for (PolicyNode id : item.require("identities", hint).list(hint)) {
        try {
          identities.add(TrustedIdentity.parse(id.text()));
        } catch (IllegalArgumentException e) {
          throw id.fail(e.getMessage());
        }
      }
    }
    return new SignatureRequirement(type, storeName, identities);
  }

  /** {@code roles: [targets/releases]}: TUF roles, {@code targets} or delegations under it. */
  private static List<String> roles(PolicyNode node) {
    String hint = "list TUF roles such as targets/releases or targets";
    List<String> roles = new ArrayList<>();
    for (PolicyNode role : node.list(hint)) {
      String name = role.raw().isTextual() ? role.raw().asText() : "";
      if (!ROLE.matcher(name).matches()) {
        throw role.fail(
            role.describe()
                + " is not a targets role; use targets or a delegation like"
                + " targets/releases");
      }
      if (roles.contains(name)) {
        throw role.fail("'" + name + "' is listed twice; remove one");
      }
      roles.add(name);
    }
    return roles;
  }

  /** {@code tlog: required} (true) or {@code optional} (false). */
  static boolean tlog(PolicyNode node) {
    return switch (node.raw().isTextual() ? node.raw().asText() : "") {
      case "required" -> true;
      case "optional" -> false;
      default -> throw node.fail("unknown value " + node.describe() + "; use required or optional");
    };
  }

  private String names(SignatureType servingType) {
    Set<String> names =
        stores.values().stream()
            .filter(s -> servingType == null || s.serves() == servingType)
            .map(PolicyTrustStore::name)
            .collect(Collectors.toCollection(TreeSet::new));
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  private static VerificationActions verification(PolicyNode node) {
    node.object(Set.of("level", "integrity", "authenticity", "authenticTimestamp", "expiry"));
    VerificationActions base =
        node.get("level")
            .map(
                level ->
                    switch (level.text()) {
                      case "strict" -> VerificationActions.STRICT;
                      case "permissive" -> VerificationActions.PERMISSIVE;
                      case "audit" -> VerificationActions.AUDIT;
                      default ->
                          throw level.fail(
                              "unknown level "
                                  + level.describe()
                                  + "; use strict, permissive or audit (mode: off skips"
                                  + " verification)");
                    })
            .orElse(VerificationActions.STRICT);
    node.get("integrity")
        .ifPresent(
            integrity -> {
              if (action(integrity) != CheckAction.ENFORCE) {
                throw integrity.fail("integrity is always enforced; remove the key");
              }
            });
    return new VerificationActions(
        node.get("authenticity").map(PolicyReader::action).orElse(base.authenticity()),
        node.get("authenticTimestamp").map(PolicyReader::action).orElse(base.authenticTimestamp()),
        node.get("expiry").map(PolicyReader::action).orElse(base.expiry()));
  }

  private static CheckAction action(PolicyNode node) {
    return switch (node.raw().isTextual() ? node.raw().asText() : "") {
      case "enforce" -> CheckAction.ENFORCE;
      case "log" -> CheckAction.LOG;
      case "skip" -> CheckAction.SKIP;
      default ->
          throw node.fail("unknown action " + node.describe() + "; use enforce, log or skip");
    };
  }

  private TagRules tags(PolicyNode node) {
    node.object(Set.of("allowLatest", "pin", "lockfile"));
    boolean allowLatest = node.get("allowLatest").map(PolicyNode::bool).orElse(true);
    PinMode pin =
        node.get("pin")
            .map(
                p ->
                    switch (p.raw().isTextual() ? p.raw().asText() : "") {
                      case "signed" -> PinMode.SIGNED;
                      case "lockfile" -> PinMode.LOCKFILE;
                      case "first-seen" -> PinMode.FIRST_SEEN;
                      case "none" -> PinMode.NONE;
                      default ->
                          throw p.fail(
                              "unknown pin mode "
                                  + p.describe()
                                  + "; use signed, lockfile, first-seen or none");
                    })
            .orElse(PinMode.NONE);
    Optional<PolicyNode> lockfileNode = node.get("lockfile");
    if (pin != PinMode.LOCKFILE) {
      if (lockfileNode.isPresent()) {
        throw lockfileNode.get().fail("applies only with pin: lockfile; remove it or set pin");
      }
      return new TagRules(allowLatest, pin, Optional.empty());
    }
    PolicyNode lockfile = node.require("lockfile", "name the lockfile, e.g. lockfile: pins.yaml");
    Path file = baseDir.resolve(lockfile.text()).normalize();
    if (!Files.isRegularFile(file)) {
      throw lockfile.fail(
          lockfile.text() + " not found (" + file + "); paths are relative to the policy file");
    }
    return new TagRules(allowLatest, pin, Optional.of(file));
  }
}
