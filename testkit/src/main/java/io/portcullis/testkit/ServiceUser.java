package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The unprivileged account a server that refuses root (PostgreSQL) runs as. Tests run as root in CI
 * and in the project's containers; PostgreSQL's programs then exit with "cannot be run as root". As
 * root, commands are wrapped in {@code setpriv} (util-linux, always present on Debian; unlike
 * {@code su} or {@code runuser} it execs the program itself, so the {@link Process} is the server,
 * not a session wrapper) under the {@code postgres} user that Debian's package creates, or {@code
 * nobody} where it does not exist. As anyone else, commands run as the current user.
 */
final class ServiceUser {
  private final Optional<String[]> account; // user and group, only when running as root

  private ServiceUser(Optional<String[]> account) {
    this.account = account;
  }

  /** The account for PostgreSQL on this machine. */
  static ServiceUser forPostgres() {
    if (!isRoot()) {
      return new ServiceUser(Optional.empty());
    }
    UserPrincipalLookupService lookup =
        Path.of("/").getFileSystem().getUserPrincipalLookupService();
    for (String[] candidate : new String[][] {{"postgres", "postgres"}, {"nobody", "nogroup"}}) {
      try {
        lookup.lookupPrincipalByName(candidate[0]);
        lookup.lookupPrincipalByGroupName(candidate[1]);
        return new ServiceUser(Optional.of(candidate));
      } catch (UserPrincipalNotFoundException absent) {
        // try the next one
      } catch (IOException e) {
        throw new UncheckedIOException("cannot look up user " + candidate[0], e);
      }
    }
    throw new IllegalStateException("running as root, and neither user postgres nor nobody exists");
  }

  static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** The name commands run as, for messages. */
  String name() {
    return account.map(a -> a[0]).orElse(System.getProperty("user.name"));
  }

  /** {@code command}, run as this account. */
  List<String> wrap(List<String> command) {
    if (account.isEmpty()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>();
    wrapped.add("setpriv");
    wrapped.add("--reuid=" + account.get()[0]);
    wrapped.add("--regid=" + account.get()[1]);
    wrapped.add("--clear-groups");
    wrapped.add("--");
    wrapped.addAll(command);
    return wrapped;
  }

  /** Hands {@code path} (a directory the caller created) to this account. */
  void own(Path path) {
    if (account.isEmpty()) {
      return;
    }
    try {
      UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
      UserPrincipal user = lookup.lookupPrincipalByName(account.get()[0]);
      GroupPrincipal group = lookup.lookupPrincipalByGroupName(account.get()[1]);
      PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
      view.setOwner(user);
      view.setGroup(group);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot give " + path + " to " + name(), e);
    }
  }
}
