package io.portcullis.core.pin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file's content through a temporary file in the same directory and a rename, so a
 * reader (a gateway reloading its lockfile, an editor) sees the old or the new content, never a
 * partial write, and a failed write leaves the old file as it was. The new file keeps the old one's
 * POSIX permissions; a new file gets {@code rw-r--r--} rather than the temporary file's {@code
 * rw-------}, since lockfiles and manifests are meant to be shared.
 */
public final class AtomicFileReplacer {

  private static final Set<PosixFilePermission> NEW_FILE =
      PosixFilePermissions.fromString("rw-r--r--");

  private AtomicFileReplacer() {}

  /** Writes {@code content} to {@code file}, replacing it atomically where the file system can. */
  public static void replace(Path file, byte[] content) {
    Path target = file.toAbsolutePath();
    try {
      // replace what a symlink points at, not the link: the link is the user's choice to keep
      if (Files.isSymbolicLink(target)) {
        target = target.toRealPath();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve " + file, e);
    }
    Path dir = target.getParent();
    Path temp = null;
    try {
      temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(content));
        channel.force(true);
      }
      copyPermissions(target, temp);
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // the write already failed; that error is the one worth reporting
        }
      }
    }
  }

  private static void copyPermissions(Path from, Path to) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(to, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> permissions =
        Files.exists(from, LinkOption.NOFOLLOW_LINKS)
            ? Files.getPosixFilePermissions(from)
            : NEW_FILE;
    view.setPermissions(permissions);
  }
}
