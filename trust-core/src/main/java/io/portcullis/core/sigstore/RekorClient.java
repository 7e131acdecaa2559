package io.portcullis.core.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.PublicKeyPem;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Uploads entries to a Rekor v1 transparency log (<a
 * href="https://github.com/sigstore/rekor/blob/main/openapi.yaml">{@code POST
 * /api/v1/log/entries}</a>) and turns the log's answer into the {@link TlogEntry} a bundle carries:
 * the canonicalized body, the SignedEntryTimestamp and, when the log sends one, the inclusion proof
 * with its checkpoint. Nothing the log answers is trusted here; the verifier checks it all against
 * the trusted root. Blocking, for the CLI.
 */
public final class RekorClient {
  /** Rekor answers with one entry; anything much bigger is not an answer to our upload. */
  static final int MAX_RESPONSE_BYTES = 1024 * 1024;

  /** Rekor could not be reached, refused the entry, or answered something unreadable. */
  public static final class RekorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RekorException(String message) {
      super(message);
    }
  }

  private final URI baseUrl;
  private final HttpClient http;
  private final Duration timeout;

  public RekorClient(URI baseUrl, Duration timeout) {
    String s = baseUrl.toString();
    this.baseUrl = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * Logs {@code envelope} as a {@code dsse} v0.0.1 entry whose verifier is {@code key}, as cosign
   * does for a key-signed DSSE bundle.
   */
  public TlogEntry uploadDsse(DsseEnvelope envelope, PublicKey key) {
    ObjectNode request = JsonNodeFactory.instance.objectNode();
    request.put("apiVersion", "0.0.1").put("kind", "dsse");
    ObjectNode content = request.putObject("spec").putObject("proposedContent");
    content.put("envelope", new String(envelope.toJson(), StandardCharsets.UTF_8));
    content
        .putArray("verifiers")
        .add(
            Base64.getEncoder()
                .encodeToString(PublicKeyPem.encode(key).getBytes(StandardCharsets.US_ASCII)));
    return parseResponse(post(StrictJson.write(request)));
  }

  private byte[] post(byte[] body) {
    URI target = baseUrl.resolve(baseUrl.getPath() + "/api/v1/log/entries");
    HttpRequest request =
        HttpRequest.newBuilder(target)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new RekorException("Rekor at " + baseUrl + " is unreachable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RekorException("interrupted while uploading to Rekor at " + baseUrl);
    }
    byte[] answer = read(response);
    if (response.statusCode() != 201) {
      String text = new String(answer, 0, Math.min(answer.length, 300), StandardCharsets.UTF_8);
      throw new RekorException(
          "Rekor at " + baseUrl + " refused the entry: HTTP " + response.statusCode() + " " + text);
    }
    return answer;
  }

  /**
   * The answer, read before the timeout: the request's own timeout ends when the headers arrive, so
   * a log that then stalls has the body closed under it rather than hang the CLI.
   */
  private byte[] read(HttpResponse<InputStream> response) {
    AtomicBoolean expired = new AtomicBoolean();
    try (InputStream in = response.body()) {
      CompletableFuture<Void> deadline =
          CompletableFuture.runAsync(
              () -> {
                expired.set(true);
                try {
                  in.close();
                } catch (IOException e) {
                  // closed is closed: the reader sees the end or an error
                }
              },
              CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS));
      byte[] bytes;
      try {
        bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
      } finally {
        deadline.cancel(false);
      }
      if (expired.get()) {
        throw new IOException("took longer than " + timeout);
      }
      if (bytes.length > MAX_RESPONSE_BYTES) {
        throw new RekorException(
            "Rekor at " + baseUrl + " answered more than " + MAX_RESPONSE_BYTES + " bytes");
      }
      return bytes;
    } catch (IOException e) {
      throw new RekorException(
          "reading Rekor's answer failed: "
              + (expired.get() ? "took longer than " + timeout : e.getMessage()));
    }
  }

  /**
   * The bundle's entry from Rekor's {@code {"<uuid>": {body, integratedTime, logID, logIndex,
   * verification: {signedEntryTimestamp, inclusionProof}}}} (hex hashes, as Rekor v1 writes them).
   */
  static TlogEntry parseResponse(byte[] json) {
    try {
      JsonNode root = StrictJson.readObject(json);
      Iterator<Map.Entry<String, JsonNode>> members = root.properties().iterator();
      if (!members.hasNext()) {
        throw new RekorException("Rekor answered no entry");
      }
      JsonNode entry = members.next().getValue();
      byte[] body = SigstoreJson.bytes(entry, "body");
      JsonNode logged = StrictJson.readObject(body);
      String kind = SigstoreJson.text(logged, "kind");
      String version = SigstoreJson.text(logged, "apiVersion");
      JsonNode verification = SigstoreJson.object(entry, "verification");
      Optional<byte[]> set =
          verification.hasNonNull("signedEntryTimestamp")
              ? Optional.of(SigstoreJson.bytes(verification, "signedEntryTimestamp"))
              : Optional.empty();
      Optional<InclusionProof> proof = Optional.empty();
      if (verification.hasNonNull("inclusionProof")) {
        JsonNode p = SigstoreJson.object(verification, "inclusionProof");
        List<byte[]> hashes = new ArrayList<>();
        for (JsonNode h : TrustedRoot.array(p, "hashes")) {
          hashes.add(HexFormat.of().parseHex(h.asText()));
        }
        proof =
            Optional.of(
                new InclusionProof(
                    SigstoreJson.int64(p, "logIndex", 0),
                    HexFormat.of().parseHex(SigstoreJson.text(p, "rootHash")),
                    SigstoreJson.int64(p, "treeSize", 0),
                    hashes,
                    SigstoreJson.text(p, "checkpoint")));
      }
      return new TlogEntry(
          SigstoreJson.int64(entry, "logIndex", 0),
          HexFormat.of().parseHex(SigstoreJson.text(entry, "logID")),
          kind,
          version,
          SigstoreJson.int64(entry, "integratedTime", 0),
          body,
          set,
          proof);
    } catch (IllegalArgumentException e) {
      // a SigstoreFormatException, invalid JSON or bad hex
      throw new RekorException("Rekor's answer is not a log entry: " + e.getMessage());
    }
  }
}
