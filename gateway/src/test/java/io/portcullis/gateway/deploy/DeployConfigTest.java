package io.portcullis.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.x509.DevPki;
import io.portcullis.core.x509.PemFiles;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.LoggingConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code deploy/gateway.yaml} (and the fleet's {@code deploy/gateway-fleet.yaml}) passes the
 * gateway's own validation once the files the compose deployment mounts exist: the container paths
 * are mapped into a temporary directory holding a dev PKI, a token key, credentials and an htpasswd
 * file made here.
 */
class DeployConfigTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"deploy/gateway.yaml", "deploy/gateway-fleet.yaml"})
  void theComposeConfigurationValidates(String file) throws Exception {
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Path tls = Files.createDirectories(dir.resolve("tls"));
    DevPki pki = DevPki.generate();
    pki.writeTo(dir.resolve("pki"), false);
    Files.copy(dir.resolve("pki/tls.crt"), tls.resolve("tls.crt"));
    Files.copy(dir.resolve("pki/tls.key"), secrets.resolve("tls-key"));
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    // As README's openssl lines make it: the PKCS#8 private key, then its public key.
    KeyPair tokenKey = ec.generateKeyPair();
    PemFiles.writeSecret(
        secrets.resolve("token-key"),
        PemFiles.privateKey(tokenKey.getPrivate()) + PublicKeyPem.encode(tokenKey.getPublic()),
        false);
    Files.writeString(secrets.resolve("upstream-credentials"), "gateway:upstream-password\n");
    Files.writeString(secrets.resolve("db-password"), "db-password\n");
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    Files.writeString(
        secrets.resolve("gateway-htpasswd"),
        "ci:" + OpenBSDBCrypt.generate("ci-password".toCharArray(), salt, 5) + "\n");

    String yaml =
        Files.readString(ComposeFileTest.ROOT.resolve(file))
            .replace("/run/secrets/", secrets + "/")
            .replace("/etc/portcullis/tls/", tls + "/")
            .replace(
                "/etc/portcullis/trust-policies/",
                ComposeFileTest.ROOT.resolve("trust-policies") + "/")
            .replace("/var/lib/portcullis", dir.resolve("data").toString());
    GatewayConfig c = ConfigLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), file, Map.of());
    assertEquals(5000, c.server().port());
    assertTrue(c.server().tls().isPresent());
    assertTrue(c.admin().isPresent());
    assertTrue(c.auth().isPresent());
    assertTrue(c.policy().isPresent());
    assertEquals(LoggingConfig.Format.JSON, c.logging().format());
    assertEquals("gateway", c.upstreams().get(0).credentials().orElseThrow().username());
    // the fleet's replicas share their state; the single gateway keeps its files
    assertEquals(file.endsWith("fleet.yaml"), c.state().isPresent());
  }
}
