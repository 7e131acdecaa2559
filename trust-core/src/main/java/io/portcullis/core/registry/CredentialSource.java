package io.portcullis.core.registry;

import java.util.List;
import java.util.Optional;

/**
 * Where the client finds credentials for a registry. Implementations read files only: secrets never
 * come from command-line arguments or environment variables, where other processes and shell
 * history can see them.
 */
@FunctionalInterface
public interface CredentialSource {

  /** Credentials for {@code registry} (as in {@link RemoteRepository#registry()}), if any. */
  Optional<Credentials> lookup(String registry);

  /** No credentials anywhere: every request is anonymous. */
  static CredentialSource anonymous() {
    return registry -> Optional.empty();
  }

  /** The first source that knows the registry wins. */
  static CredentialSource firstOf(List<CredentialSource> sources) {
    List<CredentialSource> copy = List.copyOf(sources);
    return registry ->
        copy.stream().map(s -> s.lookup(registry)).flatMap(Optional::stream).findFirst();
  }
}
