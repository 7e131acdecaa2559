package io.portcullis.gateway.config;

/** A configuration problem, with a one-line message that names the offending key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
