package io.portcullis.gateway.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The robots file ({@code auth.robots.file}): {@code {"version":1,"robots":[...]}} with one entry
 * per {@link RobotRecord}. Reads validate the whole file; writes replace it atomically (a 0600 temp
 * file in the same directory, fsynced, then moved over the old one), so a reader sees the old file
 * or the new one, never half of one. Writers take an exclusive lock on {@code <file>.lock} so two
 * {@code robot} commands cannot lose each other's changes.
 */
final class RobotFile {
  static final int VERSION = 1;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private static final Object IN_PROCESS = new Object();

  private RobotFile() {}

  /** The robots in {@code file}; none when it does not exist. */
  static List<RobotRecord> read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return parse(bytes, file);
  }

  static List<RobotRecord> parse(byte[] bytes, Path file) {
    FileWire wire;
    try {
      wire = JSON.readValue(bytes, FileWire.class);
    } catch (JsonMappingException e) {
      throw new InvalidRobotFileException(
          file + ": not a robots file: " + path(e) + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new InvalidRobotFileException(file + ": not a robots file: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidRobotFileException(file + ": " + e.getMessage());
    }
    if (wire == null || wire.version() == null || wire.version() != VERSION) {
      throw new InvalidRobotFileException(file + ": expected \"version\": " + VERSION);
    }
    List<RobotRecord> robots = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<RobotWire> entries = wire.robots() == null ? List.of() : wire.robots();
    for (int i = 0; i < entries.size(); i++) {
      RobotRecord robot = entry(entries.get(i), file + ": robots[" + i + "]");
      if (!names.add(robot.name())) {
        throw new InvalidRobotFileException(
            file + ": robots[" + i + "]: name '" + robot.name() + "' appears twice");
      }
      robots.add(robot);
    }
    return List.copyOf(robots);
  }

  private static RobotRecord entry(RobotWire w, String where) {
    if (w == null) {
      throw new InvalidRobotFileException(where + ": empty entry");
    }
    try {
      return new RobotRecord(
          w.name(),
          w.roles() == null ? List.of() : w.roles(),
          w.scopes() == null ? List.of() : w.scopes(),
          Instant.parse(String.valueOf(w.createdAt())),
          Instant.parse(String.valueOf(w.expiresAt())),
          Objects.requireNonNull(w.revoked(), "revoked: is required (true or false)"),
          w.secretHash());
    } catch (IllegalArgumentException | NullPointerException | DateTimeParseException e) {
      throw new InvalidRobotFileException(where + ": " + e.getMessage());
    }
  }

  /**
   * Applies {@code change} to the current robots and writes the result, holding the lock from the
   * read to the move so concurrent writers serialise.
   */
  static List<RobotRecord> update(Path file, UnaryOperator<List<RobotRecord>> change)
      throws IOException {
    // A FileLock excludes other processes only; threads of this JVM queue here first.
    synchronized (IN_PROCESS) {
      return updateLocked(file, change);
    }
  }

  private static List<RobotRecord> updateLocked(Path file, UnaryOperator<List<RobotRecord>> change)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path lockFile = dir.resolve(file.getFileName() + ".lock");
    try (FileChannel lockChannel =
        FileChannel.open(
            lockFile,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            ownerOnly(dir))) {
      FileLock lock = lockChannel.lock();
      try {
        List<RobotRecord> current = read(file);
        List<RobotRecord> next = List.copyOf(change.apply(current));
        if (!next.equals(current)) {
          write(file, next);
        }
        return next;
      } finally {
        lock.release();
      }
    }
  }

  private static void write(Path file, List<RobotRecord> robots) throws IOException {
    List<RobotWire> entries =
        robots.stream()
            .map(
                r ->
                    new RobotWire(
                        r.name(),
                        r.roles(),
                        r.scopes(),
                        r.createdAt().toString(),
                        r.expiresAt().toString(),
                        r.revoked(),
                        r.secretHash()))
            .toList();
    byte[] bytes = JSON.writeValueAsBytes(new FileWire(VERSION, entries));
    Path dir = file.toAbsolutePath().getParent();
    Path temp = Files.createTempFile(dir, "." + file.getFileName() + "-", ".tmp", ownerOnly(dir));
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static FileAttribute<?>[] ownerOnly(Path dir) throws IOException {
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
    }
    return new FileAttribute<?>[0];
  }

  /** True when group or others may read or write {@code file}. */
  static boolean tooOpen(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      return !OWNER_ONLY.containsAll(perms);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** The file as stored: times as ISO-8601 strings. */
  record FileWire(Integer version, List<RobotWire> robots) {}

  /** One robot as stored. */
  record RobotWire(
      String name,
      List<String> roles,
      List<String> scopes,
      String createdAt,
      String expiresAt,
      Boolean revoked,
      String secretHash) {}

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "" : sb + ": ";
  }
}
