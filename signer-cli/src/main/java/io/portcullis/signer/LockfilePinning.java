package io.portcullis.signer;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.oci.RepositoryName;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.pin.Lockfile;
import io.portcullis.core.pin.LockfileException;
import io.portcullis.core.pin.Pin;
import io.portcullis.core.registry.ImageReference;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * {@code pin IMAGE...}: resolves every image first and writes the lockfile once, so a tag that
 * cannot be resolved leaves the lockfile exactly as it was.
 */
final class LockfilePinning {

  private final CommandLine cmd;
  private final RegistryOptions registry;
  private final Path lockfile;
  private final boolean dryRun;

  /** One image to pin: where it is, and the lockfile key it goes under. */
  private record Target(String argument, ImageReference image, RepositoryName key, Tag tag) {}

  LockfilePinning(CommandLine cmd, RegistryOptions registry, Path lockfile, boolean dryRun) {
    this.cmd = cmd;
    this.registry = registry;
    this.lockfile = lockfile;
    this.dryRun = dryRun;
  }

  int run(List<String> images, String repositoryPath, String comment, String pinnedBy) {
    Lockfile lock = load();
    List<Target> targets = new ArrayList<>();
    for (String argument : images) {
      targets.add(target(argument, repositoryPath));
    }
    Pin metadata = metadata(comment, pinnedBy);
    RegistryTagResolver resolver = new RegistryTagResolver(registry.client());
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    String prefix = cmd.getCommandSpec().qualifiedName() + ": ";
    int failures = 0;
    int changed = 0;
    for (Target t : targets) {
      Optional<Digest> digest = resolve(resolver, t);
      if (digest.isEmpty()) {
        err.println(
            prefix
                + "cannot pin "
                + t.argument()
                + ": "
                + (t.image().digest().isPresent()
                    ? "digest not found in " + t.image().repository()
                    : "tag not found: " + t.image()));
        failures++;
        continue;
      }
      Optional<Digest> before = lock.lookup(t.key(), t.tag());
      String where = t.key() + ":" + t.tag();
      if (before.equals(digest)) {
        out.println("unchanged " + where + " @ " + digest.get());
        continue;
      }
      Pin pin = new Pin(digest.get(), metadata.pinnedAt(), metadata.pinnedBy(), metadata.comment());
      lock = lock.withPin(t.key(), t.tag(), pin);
      changed++;
      out.println(
          (before.isPresent() ? "updated " : "pinned ")
              + where
              + " @ "
              + digest.get()
              + before.map(d -> " (was " + d + ")").orElse("")
              + " from "
              + t.image());
    }
    if (failures > 0) {
      err.println(
          prefix + failures + " image(s) could not be pinned; " + lockfile + " not written");
      return ExitCodes.VERIFICATION_FAILED;
    }
    if (dryRun) {
      out.println("dry run: " + lockfile + " not written (" + changed + " change(s))");
    } else if (changed > 0 || !Files.exists(lockfile)) {
      lock.write(lockfile);
      out.println("wrote " + lockfile + " (" + changed + " change(s), " + lock.size() + " pin(s))");
    } else {
      out.println(lockfile + " is up to date");
    }
    return ExitCodes.OK;
  }

  private Lockfile load() {
    if (!Files.exists(lockfile)) {
      return Lockfile.empty();
    }
    try {
      return Lockfile.load(lockfile);
    } catch (LockfileException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Target target(String argument, String repositoryPath) {
    ImageReference image;
    try {
      image = ImageReference.parse(argument);
    } catch (InvalidReferenceException e) {
      throw new UsageException("invalid IMAGE '" + argument + "': " + e.getMessage());
    }
    Tag tag =
        image
            .tag()
            .orElseThrow(
                () ->
                    new UsageException(
                        "IMAGE '" + argument + "' has no tag to pin; give repo:tag[@digest]"));
    RepositoryName key;
    try {
      key = repositoryPath == null ? image.repository().name() : RepositoryName.of(repositoryPath);
    } catch (InvalidReferenceException e) {
      throw new UsageException("invalid --repository-path: " + e.getMessage());
    }
    return new Target(argument, image, key, tag);
  }

  /**
   * The tag's digest now; or, when the user named a digest, that digest once the registry confirms
   * it exists, so a reviewed digest can be pinned even after the tag has moved on.
   */
  private static Optional<Digest> resolve(RegistryTagResolver resolver, Target t) {
    if (t.image().digest().isPresent()) {
      Digest given = t.image().digest().get();
      return resolver.exists(t.image(), given) ? Optional.of(given) : Optional.empty();
    }
    return resolver.resolve(t.image());
  }

  private static Pin metadata(String comment, String pinnedBy) {
    // any digest will do: only the metadata is used, validated once before the registry is asked
    Pin pin = Pin.of(Digest.sha256(new byte[0])).at(Instant.now());
    try {
      if (pinnedBy != null) {
        pin = pin.by(pinnedBy);
      }
      if (comment != null) {
        pin = pin.withComment(comment);
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return pin;
  }
}
