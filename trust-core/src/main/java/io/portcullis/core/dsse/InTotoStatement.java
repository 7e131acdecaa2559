package io.portcullis.core.dsse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.oci.Digest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-toto attestation Statement, per the <a
 * href="https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md">in-toto statement
 * spec</a> (v1, and the v0.1 {@code _type} cosign still writes): the subjects it is about, a
 * predicate type and the predicate as a JSON tree.
 */
public record InTotoStatement(
    String type, List<Subject> subjects, String predicateType, JsonNode predicate) {

  public static final String STATEMENT_V01 = "https://in-toto.io/Statement/v0.1";
  public static final String STATEMENT_V1 = "https://in-toto.io/Statement/v1";
  private static final Set<String> TYPES = Set.of(STATEMENT_V01, STATEMENT_V1);

  public InTotoStatement {
    subjects = List.copyOf(subjects);
    predicate = predicate == null ? NullNode.getInstance() : predicate.deepCopy();
  }

  @Override
  public JsonNode predicate() {
    return predicate.deepCopy();
  }

  /** A v1 statement about one image, named {@code name}, with its sha256 digest. */
  public static InTotoStatement about(
      String name, Digest image, String predicateType, JsonNode predicate) {
    return new InTotoStatement(
        STATEMENT_V1,
        List.of(new Subject(name, Map.of(image.algorithm(), image.hex()))),
        predicateType,
        predicate);
  }

  /** True when a subject carries {@code image}'s digest under its algorithm. */
  public boolean hasSubject(Digest image) {
    return subjects.stream().anyMatch(s -> image.hex().equals(s.digest().get(image.algorithm())));
  }

  public static InTotoStatement parse(byte[] json) {
    JsonNode root;
    try {
      root = StrictJson.readTree(json);
      StrictJson.requireStructNames(root);
      StrictJson.requireStructNamesOfElements(root.get("subject"));
    } catch (StrictJson.InvalidJsonException e) {
      throw new InvalidPayloadException("in-toto statement is not valid JSON: " + e.getMessage());
    }
    if (!root.isObject()) {
      throw new InvalidPayloadException("in-toto statement is not a JSON object");
    }
    String type = root.path("_type").asText();
    if (!TYPES.contains(type)) {
      throw new InvalidPayloadException(
          "in-toto statement _type '" + type + "' is not " + STATEMENT_V01 + " or " + STATEMENT_V1);
    }
    if (!root.path("predicateType").isTextual() || !root.path("subject").isArray()) {
      throw new InvalidPayloadException("in-toto statement lacks subject or predicateType");
    }
    List<Subject> subjects = new ArrayList<>();
    for (JsonNode subject : root.get("subject")) {
      Map<String, String> digest = new LinkedHashMap<>();
      subject
          .path("digest")
          .properties()
          .forEach(e -> digest.put(e.getKey(), e.getValue().asText()));
      subjects.add(new Subject(subject.path("name").asText(""), digest));
    }
    return new InTotoStatement(
        type, subjects, root.get("predicateType").asText(), root.get("predicate"));
  }

  public byte[] toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("_type", type);
    var array = root.putArray("subject");
    for (Subject subject : subjects) {
      ObjectNode s = array.addObject().put("name", subject.name());
      ObjectNode digest = s.putObject("digest");
      subject.digest().forEach(digest::put);
    }
    root.put("predicateType", predicateType);
    root.set("predicate", predicate.deepCopy());
    return StrictJson.write(root);
  }

  /** A statement subject: a name and its digests by algorithm ({@code sha256} -> hex). */
  public record Subject(String name, Map<String, String> digest) {
    public Subject {
      digest = Map.copyOf(digest);
    }
  }
}
