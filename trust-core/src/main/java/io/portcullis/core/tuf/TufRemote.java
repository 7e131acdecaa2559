package io.portcullis.core.tuf;

import java.util.Optional;

/**
 * Where a TUF repository's files come from. Paths are relative to the repository's base, such as
 * {@code 2.root.json}, {@code timestamp.json} or {@code targets/<hash>.trusted_root.json}.
 */
public interface TufRemote {
  /**
   * The bytes of {@code path}, or empty when the repository does not have it (HTTP 404).
   *
   * @param maxBytes the most bytes to accept: a longer file fails with {@link
   *     TufException.TooLarge} without being read further
   * @throws TufException.FetchFailed when the repository cannot be reached or answers otherwise
   */
  Optional<byte[]> fetch(String path, long maxBytes) throws TufException;
}
