package io.portcullis.gateway;

import io.portcullis.gateway.config.AdminConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code portcullis-gateway healthcheck [--url URL]}: asks the admin listener whether the gateway
 * is ready and exits 0 (ready) or 1. It is the container {@code HEALTHCHECK}: the runtime image has
 * no shell or curl, only the JVM.
 */
@Command(
    name = "healthcheck",
    mixinStandardHelpOptions = true,
    description = "Exit 0 when the gateway's admin /readyz answers 200, else 1.")
public final class HealthcheckCommand implements Callable<Integer> {
  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "Default: http://127.0.0.1:${PORTCULLIS_ADMIN_PORT:-9095}/readyz")
  URI url;

  @Option(
      names = "--timeout-ms",
      paramLabel = "MILLIS",
      description = "Connect and response timeout (default ${DEFAULT-VALUE}).",
      defaultValue = "3000")
  long timeoutMillis;

  @Override
  public Integer call() throws InterruptedException {
    URI target = url != null ? url : URI.create("http://127.0.0.1:" + adminPort() + "/readyz");
    Duration timeout = Duration.ofMillis(timeoutMillis);
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(target).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        return 0;
      }
      System.err.println("healthcheck: " + target + " answered " + r.statusCode());
      return 1;
    } catch (IOException e) {
      System.err.println("healthcheck: " + target + " unreachable: " + e.getMessage());
      return 1;
    }
  }

  private static String adminPort() {
    String port = System.getenv("PORTCULLIS_ADMIN_PORT");
    return port == null || port.isBlank()
        ? Integer.toString(AdminConfig.DEFAULT_PORT)
        : port.strip();
  }
}
