package io.portcullis.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds OCI images with {@code umoci} from an {@link ImageSpec} and pushes them with {@link
 * Skopeo}. Layouts live in a private temporary directory that {@link #close()} deletes.
 *
 * <pre>{@code
 * try (Skopeo skopeo = Skopeo.create(); TestImages images = new TestImages(skopeo)) {
 *   OciLayout app = images.build(ImageSpec.builder().layers(3, 64 * 1024).user("1000").build());
 *   images.push(app, registry.ref("app:1"));
 * }
 * }</pre>
 *
 * @see <a href="https://umo.ci/reference/">umoci reference</a>
 */
public final class TestImages implements AutoCloseable {
  private static final Duration UMOCI_TIMEOUT = Duration.ofSeconds(60);
  private static final int CHUNK = 64 * 1024;

  private final Skopeo skopeo;
  private final TempDirectory work;
  private final ExternalCommand runner;
  private final boolean rootless;
  private final AtomicInteger sequence = new AtomicInteger();

  public TestImages(Skopeo skopeo) {
    this.skopeo = skopeo;
    this.work = TempDirectory.create("portcullis-images-");
    this.runner = new ExternalCommand(work.path(), Map.of("HOME", work.path().toString()));
    this.rootless = !runningAsRoot();
  }

  /** Builds the image in a new layout, tagged {@code latest}. */
  public OciLayout build(ImageSpec spec) {
    Path layout = newLayout();
    buildInto(layout, "latest", spec);
    return OciLayout.read(layout, "latest");
  }

  /**
   * Builds one image per spec (give each a different platform) and an image index over them, tagged
   * {@code latest}; push it with {@link #push}, which copies every platform.
   */
  public OciLayout buildIndex(ImageSpec... platforms) {
    Path layout = newLayout();
    List<ImageIndexWriter.Entry> entries = new ArrayList<>();
    for (ImageSpec spec : platforms) {
      String tag = spec.os() + "-" + spec.architecture();
      buildInto(layout, tag, spec);
      entries.add(new ImageIndexWriter.Entry(OciLayout.read(layout, tag), spec));
    }
    ImageIndexWriter.write(layout, "latest", entries);
    return OciLayout.read(layout, "latest");
  }

  /**
   * A multi-platform image: an index over two one-layer images of 8 KiB, linux/amd64 (seed {@code
   * seed}) and linux/arm64 (seed {@code seed + 1}).
   */
  public OciLayout buildTwoPlatformIndex(int seed) {
    return buildIndex(
        ImageSpec.builder().layers(1, 8 * 1024).seed(seed).platform("linux", "amd64").build(),
        ImageSpec.builder().layers(1, 8 * 1024).seed(seed + 1).platform("linux", "arm64").build());
  }

  /**
   * Copies the image (every platform of an index) to {@code destination}, e.g. {@code
   * docker://127.0.0.1:5000/app:1}, keeping its digests.
   */
  public void push(OciLayout layout, String destination, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("--all", "--preserve-digests", "--quiet"));
    args.addAll(List.of(extraArgs));
    skopeo.copy(layout.ref(), destination, args.toArray(String[]::new)).orThrow();
  }

  @Override
  public void close() {
    work.close();
  }

  private Path newLayout() {
    Path layout = work.resolve("layout-" + sequence.incrementAndGet());
    umoci("init", "--layout", layout.toString());
    return layout;
  }

  private void buildInto(Path layout, String tag, ImageSpec spec) {
    String image = layout + ":" + tag;
    String created = spec.created().toString();
    umoci("new", "--image", image);
    for (int i = 0; i < spec.layerSizes().size(); i++) {
      Path content =
          writeContent(spec.seed() * 1_000 + i, spec.layerSizes().get(i), spec.created());
      List<String> insert = new ArrayList<>(List.of("insert", "--image", image));
      if (rootless) {
        insert.add("--rootless");
      }
      insert.addAll(List.of("--history.created", created));
      insert.addAll(List.of(content.toString(), "/layer-" + i + ".bin"));
      umoci(insert);
      delete(content);
    }
    umoci(configArgs(image, spec));
    // insert and config leave the superseded manifests and configs behind
    umoci("gc", "--layout", layout.toString());
  }

  private static List<String> configArgs(String image, ImageSpec spec) {
    List<String> args = new ArrayList<>(List.of("config", "--image", image));
    args.addAll(List.of("--created", spec.created().toString()));
    args.addAll(List.of("--history.created", spec.created().toString()));
    args.addAll(List.of("--architecture", spec.architecture(), "--os", spec.os()));
    spec.user().ifPresent(user -> args.addAll(List.of("--config.user", user)));
    spec.env().forEach(e -> args.addAll(List.of("--config.env", e)));
    spec.labels().forEach((k, v) -> args.addAll(List.of("--config.label", k + "=" + v)));
    spec.exposedPorts().forEach(p -> args.addAll(List.of("--config.exposedports", p)));
    spec.entrypoint().forEach(e -> args.addAll(List.of("--config.entrypoint", e)));
    return args;
  }

  /** Writes seeded random bytes with a fixed mtime, so the layer tar is the same every run. */
  private Path writeContent(long seed, int size, Instant mtime) {
    Path file = work.resolve("content-" + sequence.incrementAndGet() + ".bin");
    Random random = new Random(seed);
    byte[] chunk = new byte[CHUNK];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int left = size; left > 0; left -= CHUNK) {
        random.nextBytes(chunk);
        out.write(chunk, 0, Math.min(CHUNK, left));
      }
      Files.setLastModifiedTime(file, FileTime.from(mtime));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write layer content " + file, e);
    }
  }

  private void umoci(String... args) {
    umoci(List.of(args));
  }

  private void umoci(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add("umoci");
    command.addAll(args);
    runner.run(command, UMOCI_TIMEOUT).orThrow();
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }

  /** umoci needs {@code --rootless} to insert files when it cannot chown to their owner. */
  private static boolean runningAsRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
