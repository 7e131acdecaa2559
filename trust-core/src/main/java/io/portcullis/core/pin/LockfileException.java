package io.portcullis.core.pin;

/**
 * A lockfile that cannot be used: malformed YAML, an unknown key, or a value that is not a valid
 * repository, tag, digest or time. The message is one line naming the file and the key, e.g. {@code
 * pins.lock.yaml: pins["team/app"]["1.4"].digest: invalid digest 'sha256:abc' ...}.
 */
public class LockfileException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public LockfileException(String message) {
    super(message);
  }
}
