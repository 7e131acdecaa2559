package io.portcullis.signer;

import io.portcullis.core.registry.CredentialSource;
import io.portcullis.core.registry.CredentialsFile;
import io.portcullis.core.registry.DockerConfigCredentials;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryClientConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Registry options shared by the commands that talk to a registry. Credentials come from a file
 * (never an argument or the environment): {@code --registry-creds-file} if given, else the Docker
 * config ({@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json}).
 */
public final class RegistryOptions {

  @Option(
      names = "--registry-creds-file",
      paramLabel = "FILE",
      description = "File with one line 'user:password' for the registry.")
  Path credsFile;

  @Option(
      names = "--insecure-registry",
      paramLabel = "HOST[:PORT]",
      split = ",",
      description =
          "Allow plain HTTP and skip TLS verification for this registry only (repeatable).")
  List<String> insecure = new ArrayList<>();

  @Option(
      names = "--registry-timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description = "Connect and response timeout (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  /** A client configured from these options. */
  public RegistryClient client() {
    List<CredentialSource> sources = new ArrayList<>();
    if (credsFile != null) {
      if (!Files.isReadable(credsFile)) {
        throw new UsageException("cannot read --registry-creds-file " + credsFile);
      }
      try {
        sources.add(CredentialsFile.read(credsFile));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    sources.add(DockerConfigCredentials.forCurrentUser());
    if (timeoutSeconds <= 0) {
      throw new UsageException("--registry-timeout must be positive");
    }
    return RegistryClient.create(
        new RegistryClientConfig(
            CredentialSource.firstOf(sources),
            new HashSet<>(insecure),
            Duration.ofSeconds(timeoutSeconds)));
  }
}
