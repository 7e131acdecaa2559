package io.portcullis.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A registry token service (the Docker token protocol) for CNCF distribution configured with {@code
 * auth: token}, and for a notary-server with {@code "auth": {"type": "token"}} ({@link
 * NotaryProcess#startWithTokenAuth}): it checks Basic credentials, grants the requested scopes, and
 * signs ES256 JWTs whose {@code x5c} chains to the certificate the server trusts. It records what
 * it was asked, so tests can check scopes, credentials and caching.
 */
public final class TokenServer implements AutoCloseable {
  public static final String SERVICE = "portcullis-test-registry";
  public static final String ISSUER = "portcullis-test-issuer";

  private final HttpServer server;
  private final KeyPair key;
  private final X509Certificate cert;
  private final String user;
  private final String password;

  /** What was asked, in order: {@code "auth SCOPES"} or {@code "anon SCOPES"}. */
  public final List<String> requests = Collections.synchronizedList(new ArrayList<>());

  public TokenServer(String user, String password) throws Exception {
    this.user = user;
    this.password = password;
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    key = gen.generateKeyPair();
    X500Name name = new X500Name("CN=portcullis test token signer");
    Date now = new Date();
    cert =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.valueOf(now.getTime()),
                        new Date(now.getTime() - 60_000),
                        new Date(now.getTime() + 86_400_000),
                        name,
                        key.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/token", this::token);
    server.start();
  }

  public String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  /** Writes the certificate bundle the registry's {@code rootcertbundle} points at. */
  public Path writeRootBundle(Path dir) throws Exception {
    String pem =
        "-----BEGIN CERTIFICATE-----\n"
            + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(cert.getEncoded())
            + "\n-----END CERTIFICATE-----\n";
    return Files.writeString(dir.resolve("token-root.pem"), pem);
  }

  private void token(HttpExchange ex) throws IOException {
    String query = ex.getRequestURI().getRawQuery();
    List<String> scopes = new ArrayList<>();
    if (query != null) {
      for (String part : query.split("&")) {
        if (part.startsWith("scope=")) {
          scopes.add(URLDecoder.decode(part.substring(6), StandardCharsets.UTF_8));
        }
      }
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String expected =
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    boolean authenticated = expected.equals(auth);
    requests.add((authenticated ? "auth " : "anon ") + String.join(" ", scopes));
    if (!authenticated) {
      send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
      return;
    }
    List<Map<String, Object>> access = new ArrayList<>();
    for (String scope : scopes) {
      // type:name:actions, where a Notary GUN's name may hold a port (127.0.0.1:5000/team/app)
      int first = scope.indexOf(':');
      int last = scope.lastIndexOf(':');
      if (first > 0 && last > first + 1) {
        access.add(
            Map.of(
                "type",
                scope.substring(0, first),
                "name",
                scope.substring(first + 1, last),
                "actions",
                List.of(scope.substring(last + 1).split(","))));
      }
    }
    try {
      Date now = new Date();
      JWTClaimsSet claims =
          new JWTClaimsSet.Builder()
              .issuer(ISSUER)
              .subject(user)
              .audience(SERVICE)
              .issueTime(now)
              .notBeforeTime(new Date(now.getTime() - 5_000))
              .expirationTime(new Date(now.getTime() + 300_000))
              .jwtID(UUID.randomUUID().toString())
              .claim("access", access)
              .build();
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.ES256)
                  .type(JOSEObjectType.JWT)
                  .x509CertChain(List.of(Base64.encode(cert.getEncoded())))
                  .build(),
              claims);
      jwt.sign(new ECDSASigner((ECPrivateKey) key.getPrivate()));
      send(ex, 200, "{\"token\":\"" + jwt.serialize() + "\",\"expires_in\":300}");
    } catch (JOSEException | java.security.cert.CertificateEncodingException e) {
      send(ex, 500, "{}");
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
