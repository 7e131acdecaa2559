/**
 * Docker Content Trust: the Notary v1 trust data of a GUN ({@code root}, {@code timestamp}, {@code
 * snapshot}, {@code targets} and delegations such as {@code targets/releases}), verified with the
 * TUF client of {@link io.portcullis.core.tuf} under Notary's conventions ({@link
 * io.portcullis.core.tuf.TufFormat#notary}), and tags resolved to the manifest digest their signer
 * published. See {@code docs/dct.md}.
 */
package io.portcullis.core.dct;
