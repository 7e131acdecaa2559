package io.portcullis.testkit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link TestImages} should build: layers of seeded random content and the image config. The
 * same spec builds the same image, digest for digest, because content, file times and every
 * timestamp in the config come from the spec.
 *
 * @param layerSizes the size in bytes of the one file each layer holds, bottom layer first
 * @param seed seeds the layer content; change it to get a different image of the same shape
 * @param user {@code config.User}, e.g. {@code "1000:1000"}; empty means root
 * @param env {@code config.Env} entries, {@code KEY=value}
 * @param labels {@code config.Labels}
 * @param exposedPorts {@code config.ExposedPorts} keys, e.g. {@code "8080/tcp"}
 * @param created the config's {@code created} time, also used for history entries
 * @param entrypoint {@code config.Entrypoint}
 * @param architecture the platform architecture, e.g. {@code amd64}
 * @param os the platform operating system
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/config.md">OCI image
 *     config</a>
 */
public record ImageSpec(
    List<Integer> layerSizes,
    long seed,
    Optional<String> user,
    List<String> env,
    Map<String, String> labels,
    List<String> exposedPorts,
    Instant created,
    List<String> entrypoint,
    String architecture,
    String os) {

  public ImageSpec {
    layerSizes = List.copyOf(layerSizes);
    env = List.copyOf(env);
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    exposedPorts = List.copyOf(exposedPorts);
    entrypoint = List.copyOf(entrypoint);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options for an {@link ImageSpec}; unset options leave the config field empty. */
  public static final class Builder {
    private final List<Integer> layerSizes = new ArrayList<>();
    private long seed = 1;
    private String user;
    private final List<String> env = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<String> exposedPorts = new ArrayList<>();
    private Instant created = Instant.parse("2024-01-02T03:04:05Z");
    private final List<String> entrypoint = new ArrayList<>();
    private String architecture = "amd64";
    private String os = "linux";

    private Builder() {}

    /** Adds {@code count} layers of {@code bytes} each. */
    public Builder layers(int count, int bytes) {
      for (int i = 0; i < count; i++) {
        layer(bytes);
      }
      return this;
    }

    /** Adds one layer holding a file of {@code bytes} random bytes. */
    public Builder layer(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("a layer cannot have " + bytes + " bytes");
      }
      layerSizes.add(bytes);
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Runs as this user, e.g. {@code "1000"} or {@code "app:app"}; unset means root. */
    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /** Adds an environment entry such as {@code AWS_SECRET_ACCESS_KEY=...}. */
    public Builder env(String name, String value) {
      env.add(name + "=" + value);
      return this;
    }

    public Builder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    /** Exposes a port, e.g. {@code "8080/tcp"}. */
    public Builder exposedPort(String port) {
      exposedPorts.add(port);
      return this;
    }

    public Builder created(Instant created) {
      this.created = created;
      return this;
    }

    public Builder entrypoint(String... entrypoint) {
      this.entrypoint.clear();
      this.entrypoint.addAll(List.of(entrypoint));
      return this;
    }

    public Builder platform(String os, String architecture) {
      this.os = os;
      this.architecture = architecture;
      return this;
    }

    public ImageSpec build() {
      return new ImageSpec(
          layerSizes,
          seed,
          Optional.ofNullable(user),
          env,
          labels,
          exposedPorts,
          created,
          entrypoint,
          architecture,
          os);
    }
  }
}
