package io.portcullis.gateway.config;

/**
 * The admin listener: {@code /metrics} (Prometheus), {@code /healthz} and {@code /readyz}, on its
 * own address so it can stay off the client network. Plain HTTP; it serves no secrets.
 */
public record AdminConfig(String host, int port) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9095;
}
