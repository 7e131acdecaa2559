package io.portcullis.signer;

import io.portcullis.core.pin.AtomicFileReplacer;
import io.portcullis.core.pin.Change;
import io.portcullis.core.pin.FileKind;
import io.portcullis.core.pin.Note;
import io.portcullis.core.pin.ReferenceRewriter;
import io.portcullis.core.pin.RewriteResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import picocli.CommandLine;

/**
 * {@code pin --rewrite FILE...}: reads every file, resolves every reference, and only then writes,
 * and only when everything could be pinned. A half-pinned set of manifests is worse than none: it
 * looks done.
 */
final class FileRewriting {

  private final CommandLine cmd;
  private final RegistryOptions registry;
  private final FileKind kind;
  private final boolean dryRun;
  private final boolean update;

  /** A file, its kind, and what the rewriter made of it. */
  private record Rewritten(Path file, RewriteResult result) {}

  FileRewriting(
      CommandLine cmd, RegistryOptions registry, String kind, boolean dryRun, boolean update) {
    this.cmd = cmd;
    this.registry = registry;
    this.kind = kind == null ? null : kind(kind);
    this.dryRun = dryRun;
    this.update = update;
  }

  int run(List<String> files) {
    List<Path> paths = files.stream().map(Path::of).toList();
    List<String> contents = new ArrayList<>();
    List<FileKind> kinds = new ArrayList<>();
    for (Path file : paths) {
      String content = read(file);
      contents.add(content);
      kinds.add(kind != null ? kind : detect(file, content));
    }
    ReferenceRewriter rewriter =
        new ReferenceRewriter(new RegistryTagResolver(registry.client()), update);
    List<Rewritten> results = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      results.add(new Rewritten(paths.get(i), rewriter.rewrite(kinds.get(i), contents.get(i))));
    }
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    String prefix = cmd.getCommandSpec().qualifiedName() + ": ";
    int failures = 0;
    for (Rewritten r : results) {
      for (Note note : r.result().notes()) {
        out.println(
            r.file() + ":" + note.line() + ": left " + note.reference() + ": " + note.message());
      }
      for (Note failure : r.result().failures()) {
        err.println(
            prefix
                + r.file()
                + ":"
                + failure.line()
                + ": cannot pin "
                + (failure.reference().isEmpty() ? "" : failure.reference() + ": ")
                + failure.message());
        failures++;
      }
    }
    if (failures > 0) {
      err.println(prefix + failures + " reference(s) could not be pinned; no file written");
      return ExitCodes.VERIFICATION_FAILED;
    }
    int changes = 0;
    for (Rewritten r : results) {
      if (!r.result().changed()) {
        continue;
      }
      changes += r.result().changes().size();
      if (dryRun) {
        printDiff(out, r);
      } else {
        AtomicFileReplacer.replace(
            r.file(), r.result().rewritten().getBytes(StandardCharsets.UTF_8));
        for (Change c : r.result().changes()) {
          out.println(r.file() + ":" + c.line() + ": " + c.before() + " -> " + c.after());
        }
      }
    }
    out.println(
        (dryRun ? "dry run: would pin " : "pinned ")
            + changes
            + " reference(s) in "
            + results.stream().filter(r -> r.result().changed()).count()
            + " of "
            + results.size()
            + " file(s)");
    return ExitCodes.OK;
  }

  /**
   * A unified diff without context lines (what {@code git apply --unidiff-zero} takes): every
   * changed line once, before and after.
   */
  private static void printDiff(PrintWriter out, Rewritten r) {
    String[] before = r.result().original().split("\n", -1);
    String[] after = r.result().rewritten().split("\n", -1);
    out.println("--- " + r.file());
    out.println("+++ " + r.file());
    TreeSet<Integer> lines = new TreeSet<>();
    r.result().changes().forEach(c -> lines.add(c.line()));
    for (int line : lines) {
      out.println("@@ -" + line + " +" + line + " @@");
      out.println("-" + stripCr(before[line - 1]));
      out.println("+" + stripCr(after[line - 1]));
    }
  }

  private static String stripCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  /**
   * The file as UTF-8, refusing anything else: a lenient decode would turn undecodable bytes into
   * replacement characters, and writing those back would change bytes the user never asked to
   * change.
   */
  private static String read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UsageException("no such file: " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new UsageException(file + " is not UTF-8 text; not rewriting it");
    }
  }

  private static FileKind detect(Path file, String content) {
    return FileKind.detect(String.valueOf(file.getFileName()), content)
        .orElseThrow(
            () ->
                new UsageException(
                    "cannot tell whether "
                        + file
                        + " is a Dockerfile, Compose file or Kubernetes manifest; give --kind"));
  }

  private static FileKind kind(String value) {
    try {
      return FileKind.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--kind: " + e.getMessage());
    }
  }
}
