package io.portcullis.gateway.it;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.portcullis.core.x509.CertificateReader;
import io.portcullis.core.x509.PemFiles;
import io.portcullis.gateway.Gateway;
import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The client listener over TLS with the certificates {@code portcullis-signer certs dev} makes:
 * skopeo pulls through it trusting the dev root (its {@code --src-cert-dir}), refuses it without
 * that trust, and with {@code clientCaFile} the gateway refuses a client without a certificate.
 */
class TlsIT {
  @TempDir static Path dir;
  static RegistryProcess upstream;
  static GatewayFixture tls;
  static GatewayFixture mutual;
  static Skopeo skopeo;
  static TestImages images;
  static OciLayout image;
  static Path pki;
  static Path trustRoot;
  static Path withClientCert;
  static final ListAppender<ILoggingEvent> startLines = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    pki = dir.resolve("pki");
    Signer.devPki(dir);
    upstream = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    image = images.build(ImageSpec.builder().layers(2, 128 * 1024).seed(81).build());
    images.push(image, upstream.ref("team/app:v1"));

    Path clientCa = clientPki(dir.resolve("clients"));
    Logger gatewayLog = (Logger) LoggerFactory.getLogger(Gateway.class);
    startLines.start();
    gatewayLog.addAppender(startLines);
    tls =
        GatewayFixture.builder(dir.resolve("tls"))
            .server(
                "  tls: {certFile: %s, keyFile: %s}\n"
                    .formatted(pki.resolve("tls.crt"), pki.resolve("tls.key")))
            .upstream("internal", upstream.url(), "", false)
            .start();
    mutual =
        GatewayFixture.builder(dir.resolve("mutual"))
            .server(
                "  tls: {certFile: %s, keyFile: %s, clientCaFile: %s}\n"
                    .formatted(pki.resolve("tls.crt"), pki.resolve("tls.key"), clientCa))
            .upstream("internal", upstream.url(), "", false)
            .start();
    gatewayLog.detachAppender(startLines);

    // skopeo's cert dirs: *.crt are CAs to trust, a *.cert with its *.key a client certificate.
    trustRoot = Files.createDirectories(dir.resolve("trust-root"));
    Files.copy(pki.resolve("root.crt"), trustRoot.resolve("portcullis-dev-root.crt"));
    withClientCert = Files.createDirectories(dir.resolve("with-client-cert"));
    Files.copy(pki.resolve("root.crt"), withClientCert.resolve("portcullis-dev-root.crt"));
    Files.copy(dir.resolve("clients/client.crt"), withClientCert.resolve("client.cert"));
    Files.copy(dir.resolve("clients/client.key"), withClientCert.resolve("client.key"));
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, tls, mutual, upstream);
  }

  @Test
  void skopeoPullsOverTlsTrustingTheDevRoot() {
    Path out = dir.resolve("pulled");
    copy(tls, trustRoot, out).orThrow();
    DirImage got = DirImage.read(out);
    assertEquals(image.digest(), got.manifestDigest());
    assertEquals(3, got.blobs().size(), "config and two layers");
  }

  @Test
  void bothListenersWereWarmedUpBeforeTheGatewayWasReady() {
    // Gateway.start completes, and /readyz turns 200, only after the warm-up: a TLS 1.3 and a
    // TLS 1.2 handshake with each event loop's listener, the refused ones of the client-certificate
    // listener included.
    int each = 2 * ServerConfig.defaultEventLoops();
    List<String> warmed =
        startLines.list.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(m -> m.startsWith("TLS warm"))
            .toList();
    assertEquals(2, warmed.size(), warmed.toString());
    for (String line : warmed) {
      assertTrue(line.startsWith("TLS warmed up with " + each + " handshakes in "), line);
    }
  }

  @Test
  void aCertificateRenewedInPlaceIsServedWithoutARestart() throws Exception {
    Path files = Files.createDirectories(dir.resolve("renewing"));
    Files.copy(pki.resolve("tls.crt"), files.resolve("tls.crt"));
    Files.copy(pki.resolve("tls.key"), files.resolve("tls.key"));
    try (GatewayFixture renewing =
        GatewayFixture.builder(dir.resolve("renewing-data"))
            .server(
                "  tls: {certFile: %s, keyFile: %s, reloadInterval: 200ms}\n"
                    .formatted(files.resolve("tls.crt"), files.resolve("tls.key")))
            .upstream("internal", upstream.url(), "", false)
            .start()) {
      copy(renewing, trustRoot, dir.resolve("before-renewal")).orThrow();

      // renewed by another CA, as when the platform team moves to its production PKI
      Path other = dir.resolve("other-pki");
      Signer.devPki(other);
      Path otherRoot = Files.createDirectories(dir.resolve("trust-other-root"));
      Files.copy(other.resolve("pki/root.crt"), otherRoot.resolve("other-root.crt"));
      Path newKey = files.resolve("tls.key.new");
      Files.copy(other.resolve("pki/tls.key"), newKey);
      Files.copy(other.resolve("pki/tls.crt"), files.resolve("tls.crt"), REPLACE_EXISTING);
      Files.move(newKey, files.resolve("tls.key"), REPLACE_EXISTING, ATOMIC_MOVE);
      X509Certificate renewed = CertificateReader.read(other.resolve("pki/tls.crt")).get(0);

      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!renewed.equals(renewing.gateway().tlsInForce().orElseThrow().leaf())
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(renewed, renewing.gateway().tlsInForce().orElseThrow().leaf());
      Path out = dir.resolve("after-renewal");
      copy(renewing, otherRoot, out).orThrow();
      assertEquals(image.digest(), DirImage.read(out).manifestDigest());
      CommandResult old = copy(renewing, trustRoot, dir.resolve("old-root-after-renewal"));
      assertFalse(old.ok(), "the old root does not vouch for the new certificate");
      assertTrue(old.stderr().contains("certificate"), old.stderr());
    }
  }

  @Test
  void withoutTrustInTheDevRootSkopeoRefusesTheCertificate() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("no-trust"));
    CommandResult r = copy(tls, empty, dir.resolve("untrusted"));
    assertFalse(r.ok());
    assertTrue(r.stderr().contains("certificate"), r.stderr());
  }

  @Test
  void plainHttpIsNotServedOnTheTlsPort() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThrows(
        IOException.class,
        () ->
            http.send(
                HttpRequest.newBuilder(URI.create("http://" + tls.hostPort() + "/v2/"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.discarding()));
  }

  @Test
  void javaClientTrustingTheDevRootGetsTheApiVersionHeader() throws Exception {
    HttpResponse<String> r =
        trustingClient()
            .send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + port(tls) + "/v2/"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("registry/2.0", r.headers().firstValue("Docker-Distribution-Api-Version").get());
  }

  @Test
  void clientCertificateRequiredRefusesAClientWithoutOne() {
    CommandResult r = copy(mutual, trustRoot, dir.resolve("no-client-cert"));
    assertFalse(r.ok(), "a client without certificate is refused");
    assertTrue(
        r.stderr().contains("certificate") || r.stderr().contains("tls"),
        "a TLS handshake failure: " + r.stderr());
    assertThrows(
        IOException.class,
        () ->
            trustingClient()
                .send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + port(mutual) + "/v2/"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void clientCertificateRequiredLetsACertifiedClientPull() {
    Path out = dir.resolve("pulled-with-client-cert");
    copy(mutual, withClientCert, out).orThrow();
    assertEquals(image.digest(), DirImage.read(out).manifestDigest());
  }

  private static CommandResult copy(GatewayFixture gateway, Path certDir, Path out) {
    return skopeo.run(
        List.of(
            "copy",
            "--src-cert-dir",
            certDir.toString(),
            "docker://localhost:" + port(gateway) + "/team/app:v1",
            "dir:" + out));
  }

  private static int port(GatewayFixture gateway) {
    return gateway.gateway().port();
  }

  private static HttpClient trustingClient() throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry(
        "root", io.portcullis.core.x509.CertificateReader.read(pki.resolve("root.crt")).get(0));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * A client CA and one client certificate issued by it (EKU clientAuth), as an organisation's own
   * client PKI would provide; the dev PKI has no client certificate. Returns the CA file.
   */
  static Path clientPki(Path out) throws IOException, GeneralSecurityException {
    Files.createDirectories(out);
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair caKey = gen.generateKeyPair();
      KeyPair clientKey = gen.generateKeyPair();
      Instant now = Instant.now();
      X500Name caName = new X500Name("CN=Portcullis Test Client CA");
      X509Certificate ca =
          certificate(
              caName,
              caKey,
              caName,
              caKey.getPublic(),
              now,
              b ->
                  b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                      .addExtension(
                          Extension.keyUsage,
                          true,
                          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)));
      X509Certificate client =
          certificate(
              caName,
              caKey,
              new X500Name("CN=ci-runner"),
              clientKey.getPublic(),
              now,
              b ->
                  b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                      .addExtension(
                          Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                      .addExtension(
                          Extension.extendedKeyUsage,
                          false,
                          new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)));
      PemFiles.writePublic(out.resolve("ca.crt"), PemFiles.certificates(List.of(ca)), false);
      PemFiles.writePublic(
          out.resolve("client.crt"), PemFiles.certificates(List.of(client)), false);
      PemFiles.writeSecret(
          out.resolve("client.key"), PemFiles.privateKey(clientKey.getPrivate()), false);
      return out.resolve("ca.crt");
    } catch (OperatorCreationException | CertIOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** What a certificate says beyond its names, key and validity. */
  @FunctionalInterface
  private interface Extensions {
    X509v3CertificateBuilder add(X509v3CertificateBuilder builder) throws CertIOException;
  }

  /** A certificate for {@code subject}, valid from five minutes before {@code now} for a day. */
  private static X509Certificate certificate(
      X500Name issuer,
      KeyPair issuerKey,
      X500Name subject,
      PublicKey subjectKey,
      Instant now,
      Extensions extensions)
      throws CertIOException, OperatorCreationException, CertificateException {
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer,
            BigInteger.valueOf(new SecureRandom().nextInt(1 << 30) + 1L),
            Date.from(now.minusSeconds(300)),
            Date.from(now.plus(Duration.ofDays(1))),
            subject,
            subjectKey);
    return new JcaX509CertificateConverter()
        .getCertificate(
            extensions
                .add(builder)
                .build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
  }
}
