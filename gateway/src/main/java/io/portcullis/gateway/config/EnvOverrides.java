package io.portcullis.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Map;

/**
 * Environment variables that override non-secret settings of the configuration file, so one file
 * serves several environments (and replicas) and a container platform can set ports and paths.
 * Secrets are never taken from the environment: credentials, token keys and TLS keys are read from
 * the files the configuration names. An override replaces the value in the file before validation,
 * so a bad value fails with the variable's name.
 */
public final class EnvOverrides {
  /** One variable and the configuration key it sets. */
  public record Variable(String name, List<String> key, boolean integer) {
    public String keyPath() {
      return String.join(".", key);
    }
  }

  /** Every supported variable, in the order the README documents them. */
  public static final List<Variable> VARIABLES =
      List.of(
          new Variable("PORTCULLIS_SERVER_HOST", List.of("server", "host"), false),
          new Variable("PORTCULLIS_SERVER_PORT", List.of("server", "port"), true),
          new Variable("PORTCULLIS_SERVER_PUBLIC_URL", List.of("server", "publicUrl"), false),
          new Variable(
              "PORTCULLIS_SERVER_SHUTDOWN_TIMEOUT", List.of("server", "shutdownTimeout"), false),
          new Variable("PORTCULLIS_SERVER_IDLE_TIMEOUT", List.of("server", "idleTimeout"), false),
          new Variable(
              "PORTCULLIS_SERVER_READ_HEADER_TIMEOUT",
              List.of("server", "readHeaderTimeout"),
              false),
          new Variable(
              "PORTCULLIS_SERVER_BODY_STALL_TIMEOUT", List.of("server", "bodyStallTimeout"), false),
          new Variable("PORTCULLIS_SERVER_EVENT_LOOPS", List.of("server", "eventLoops"), true),
          new Variable("PORTCULLIS_TLS_CERT_FILE", List.of("server", "tls", "certFile"), false),
          new Variable("PORTCULLIS_TLS_KEY_FILE", List.of("server", "tls", "keyFile"), false),
          new Variable(
              "PORTCULLIS_TLS_CLIENT_CA_FILE", List.of("server", "tls", "clientCaFile"), false),
          new Variable(
              "PORTCULLIS_TLS_RELOAD_INTERVAL", List.of("server", "tls", "reloadInterval"), false),
          new Variable("PORTCULLIS_DATADIR", List.of("dataDir"), false),
          new Variable("PORTCULLIS_ADMIN_HOST", List.of("admin", "host"), false),
          new Variable("PORTCULLIS_ADMIN_PORT", List.of("admin", "port"), true),
          new Variable("PORTCULLIS_POLICY_FILE", List.of("policy", "file"), false),
          new Variable("PORTCULLIS_AUDIT_FILE", List.of("audit", "file"), false),
          new Variable("PORTCULLIS_LOG_FORMAT", List.of("logging", "format"), false));

  private EnvOverrides() {}

  /** Sets every variable present (and non-empty) in {@code env} into {@code root}. */
  static void apply(ObjectNode root, Map<String, String> env) {
    for (Variable v : VARIABLES) {
      String value = env.get(v.name());
      if (value == null || value.isBlank()) {
        continue;
      }
      ObjectNode parent = root;
      for (String segment : v.key().subList(0, v.key().size() - 1)) {
        JsonNode child = parent.get(segment);
        if (child == null || child.isNull()) {
          child = parent.putObject(segment);
        } else if (!child.isObject()) {
          throw new ConfigException(
              v.name() + ": cannot set " + v.keyPath() + ": '" + segment + "' is not a section");
        }
        parent = (ObjectNode) child;
      }
      String leaf = v.key().get(v.key().size() - 1);
      parent.set(leaf, v.integer() ? integer(v, value.strip()) : TextNode.valueOf(value.strip()));
    }
  }

  private static IntNode integer(Variable v, String value) {
    try {
      return IntNode.valueOf(Integer.parseInt(value));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          v.name() + ": '" + value + "' is not a number (it sets " + v.keyPath() + ")");
    }
  }
}
