package io.portcullis.gateway.it;

import io.portcullis.gateway.Gateway;
import io.portcullis.gateway.Main;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway started in-process on a free loopback port, from YAML built the same way a user writes
 * it, so config validation is exercised by every integration test.
 */
public final class GatewayFixture implements AutoCloseable {
  private final Vertx vertx;
  private final Gateway gateway;

  private GatewayFixture(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  public String hostPort() {
    return "127.0.0.1:" + gateway.port();
  }

  public String url() {
    return "http://" + hostPort();
  }

  /** {@code GET /v2/<repo>/manifests/<reference>} through the gateway, as a client asks for it. */
  public HttpResponse<String> manifest(String repo, String reference) throws Exception {
    return Http.manifest(url(), repo, reference);
  }

  /** The running gateway (its admin port, metrics, readiness). */
  public Gateway gateway() {
    return gateway;
  }

  @Override
  public void close() {
    try {
      gateway.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("gateway did not close within 10s", e);
    } finally {
      vertx.close();
    }
  }

  /** Collects upstream entries, then starts the gateway. */
  public static final class Builder {
    private final Path dataDir;
    private final List<String> upstreams = new ArrayList<>();
    private String extra = "";
    // Tests move tags and expect the move to be seen at once: tags are revalidated every time.
    private String tagTtl = "0s";
    private String server = "";

    Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    public Builder upstream(String name, String url, String prefix, boolean push) {
      return upstream(name, url, prefix, push, null);
    }

    public Builder upstream(
        String name, String url, String prefix, boolean push, Path credentialsFile) {
      StringBuilder sb =
          new StringBuilder()
              .append("  - name: ")
              .append(name)
              .append("\n    url: ")
              .append(url)
              .append("\n    prefix: \"")
              .append(prefix)
              .append("\"\n    push: ")
              .append(push)
              .append("\n    readTimeout: 30s\n")
              .append("    cache: {tagTtl: ")
              .append(tagTtl)
              .append("}\n");
      if (credentialsFile != null) {
        sb.append("    credentialsFile: ").append(credentialsFile).append('\n');
      }
      upstreams.add(sb.toString());
      return this;
    }

    /** The {@code cache.tagTtl} of upstreams added after this call (default 0s). */
    public Builder tagTtl(String ttl) {
      this.tagTtl = ttl;
      return this;
    }

    /** More keys of the {@code server:} section (e.g. {@code tls}), as indented YAML lines. */
    public Builder server(String indentedYaml) {
      this.server = this.server + indentedYaml;
      return this;
    }

    /**
     * The trust policy {@code policyFile}, reloaded every 200 ms, and decisions audited to {@code
     * auditLog}.
     */
    public Builder policy(Path policyFile, Path auditLog) {
      return extra(
          "policy: {file: "
              + policyFile
              + ", reloadInterval: 200ms}\naudit: {file: "
              + auditLog
              + "}\n");
    }

    /** More top-level YAML (policy, audit) appended as written. */
    public Builder extra(String yaml) {
      this.extra = this.extra + yaml;
      return this;
    }

    public GatewayFixture start() throws IOException {
      Files.createDirectories(dataDir);
      String yaml =
          "server:\n  host: 127.0.0.1\n  port: 0\n"
              + server
              + "dataDir: "
              + dataDir
              + "\nupstreams:\n"
              + String.join("", upstreams)
              + extra;
      Files.writeString(dataDir.resolve("gateway.yaml"), yaml);
      GatewayConfig config = ConfigLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), "test");
      Vertx vertx = Vertx.vertx(Main.vertxOptions(config.server()));
      try {
        return new GatewayFixture(vertx, Gateway.start(vertx, config).await());
      } catch (RuntimeException e) {
        vertx.close();
        throw e;
      }
    }
  }
}
