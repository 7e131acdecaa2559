package io.portcullis.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * The configuration file of one test registry. It is written as JSON, which the registry's YAML
 * parser reads as it is, so no value ever needs YAML quoting.
 *
 * @see <a href="https://distribution.github.io/distribution/about/configuration/">distribution
 *     configuration</a>
 */
record RegistryConfig(
    int port,
    Path storage,
    Optional<Path> htpasswd,
    Optional<String> proxyRemoteUrl,
    Optional<RegistryProcess.TokenAuth> tokenAuth) {

  void write(Path file) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "0.1");
    ObjectNode log = root.putObject("log");
    log.put("level", "info");
    log.put("formatter", "text");
    log.putObject("accesslog").put("disabled", false);

    ObjectNode storageNode = root.putObject("storage");
    storageNode.putObject("filesystem").put("rootdirectory", storage.toString());
    storageNode.putObject("delete").put("enabled", true);
    // purging runs on a timer and would delete uploads a slow test is still making
    storageNode.putObject("maintenance").putObject("uploadpurging").put("enabled", false);

    ObjectNode http = root.putObject("http");
    http.put("addr", "127.0.0.1:" + port);
    // the file is written once, so restart() keeps the secret and in-flight upload URLs stay valid
    http.put("secret", UUID.randomUUID().toString());

    htpasswd.ifPresent(
        passwords -> {
          ObjectNode node = root.putObject("auth").putObject("htpasswd");
          node.put("realm", "portcullis-test");
          node.put("path", passwords.toString());
        });
    tokenAuth.ifPresent(
        t -> {
          ObjectNode node = root.putObject("auth").putObject("token");
          node.put("realm", t.realm());
          node.put("service", t.service());
          node.put("issuer", t.issuer());
          node.put("rootcertbundle", t.rootCertBundle().toString());
        });
    proxyRemoteUrl.ifPresent(url -> root.putObject("proxy").put("remoteurl", url));
    try {
      json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
