package io.portcullis.signer;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pin}: resolve tags to digests once, and make the result stick. Either in a lockfile the
 * gateway enforces ({@code pin IMAGE...}), or in the files that name the images ({@code pin
 * --rewrite FILE...}). See {@code docs/pinning.md}.
 */
@Command(
    name = "pin",
    mixinStandardHelpOptions = true,
    description = {
      "Pin tags to the digests they name now.",
      "pin [--lockfile FILE] IMAGE...: record each tag's digest in the lockfile the gateway's"
          + " 'pin: lockfile' mode reads.",
      "pin --rewrite [--dry-run] [--update] FILE...: rewrite repo:tag to repo:tag@sha256:... in"
          + " Dockerfiles, Compose files and Kubernetes manifests, keeping everything else as is.",
      "Nothing is written unless every reference could be pinned."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:pinned (or nothing to do)",
      "1:something could not be pinned (tag not found, malformed reference); nothing written",
      "2:usage error",
      "3:registry unreachable or refusing access; nothing written"
    })
final class PinCommand implements Callable<Integer> {

  @Option(
      names = "--rewrite",
      description = "Rewrite the references in FILEs instead of writing a lockfile.")
  boolean rewrite;

  @Option(
      names = "--lockfile",
      paramLabel = "FILE",
      description = "Lockfile to create or update (default: ${DEFAULT-VALUE}).",
      defaultValue = "portcullis.lock.yaml")
  Path lockfile;

  @Option(
      names = "--repository-path",
      paramLabel = "PATH",
      description =
          "Lockfile key for the one IMAGE, e.g. docker.io/library/alpine (default: IMAGE's"
              + " repository without the registry host).")
  String repositoryPath;

  @Option(names = "--comment", paramLabel = "TEXT", description = "Comment stored with new pins.")
  String comment;

  @Option(
      names = "--pinned-by",
      paramLabel = "NAME",
      description = "Who pins, stored with new pins.")
  String pinnedBy;

  @Option(
      names = "--kind",
      paramLabel = "KIND",
      description =
          "dockerfile, compose or kubernetes, for every FILE (default: from each file's name and"
              + " content).")
  String kind;

  @Option(names = "--dry-run", description = "Print what would change; write nothing.")
  boolean dryRun;

  @Option(
      names = "--update",
      description = "Also re-resolve references that already carry a digest; replace moved ones.")
  boolean update;

  @Mixin RegistryOptions registry;

  @Parameters(
      paramLabel = "IMAGE|FILE",
      arity = "1..*",
      description = "Images (host[:port]/repo[:tag][@digest]), or files with --rewrite.")
  List<String> targets;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (rewrite) {
      requireAbsent("--repository-path", repositoryPath);
      requireAbsent("--comment", comment);
      requireAbsent("--pinned-by", pinnedBy);
      if (spec.commandLine().getParseResult().hasMatchedOption("--lockfile")) {
        throw new UsageException("--lockfile is for pinning IMAGEs, not with --rewrite");
      }
      return new FileRewriting(spec.commandLine(), registry, kind, dryRun, update).run(targets);
    }
    requireAbsent("--kind", kind);
    if (update) {
      throw new UsageException("--update is for --rewrite; lockfile pins are always re-resolved");
    }
    if (repositoryPath != null && targets.size() != 1) {
      throw new UsageException("--repository-path names the key of exactly one IMAGE");
    }
    return new LockfilePinning(spec.commandLine(), registry, lockfile, dryRun)
        .run(targets, repositoryPath, comment, pinnedBy);
  }

  private static void requireAbsent(String option, String value) {
    if (value != null) {
      throw new UsageException(
          option + (option.equals("--kind") ? " is for --rewrite" : " is not used with --rewrite"));
    }
  }
}
