package io.portcullis.core.sigstore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A transparency log checkpoint: a <a href="https://github.com/C2SP/C2SP/blob/main/signed-note.md">
 * signed note</a> whose text is the <a
 * href="https://github.com/C2SP/C2SP/blob/main/tlog-checkpoint.md">checkpoint</a> (origin line,
 * tree size, base64 root hash, optional extension lines), then a blank line, then signature lines
 * {@code — <name> <base64(4-byte key hint || signature)>}.
 *
 * @param origin the first line, e.g. {@code rekor.sigstore.dev - 2605736670972794746}
 * @param signedText the note text the signatures cover: every line up to the blank one, each with
 *     its newline
 */
public record Checkpoint(
    String origin, long size, byte[] rootHash, String signedText, List<NoteSignature> signatures) {

  /** The largest checkpoint envelope read. */
  public static final int MAX_CHARS = 64 * 1024;

  /** The most signature lines read; a log signs once and a few witnesses add theirs. */
  public static final int MAX_SIGNATURES = 20;

  private static final String SIGNATURE_PREFIX = "\u2014 ";

  /** One signature line: the signer's name, its key hint and the signature bytes. */
  public record NoteSignature(String name, byte[] keyHint, byte[] signature) {
    public NoteSignature {
      keyHint = keyHint.clone();
      signature = signature.clone();
    }

    @Override
    public byte[] keyHint() {
      return keyHint.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }

  public Checkpoint {
    rootHash = rootHash.clone();
    signatures = List.copyOf(signatures);
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** Parses a checkpoint envelope; anything off the format is refused with what is wrong. */
  public static Checkpoint parse(String envelope) throws SigstoreVerificationException {
    if (envelope.length() > MAX_CHARS) {
      throw bad("is longer than " + MAX_CHARS + " characters");
    }
    int blank = envelope.indexOf("\n\n");
    if (blank < 0) {
      throw bad("has no blank line between its text and its signatures");
    }
    String text = envelope.substring(0, blank + 1);
    String[] lines = text.split("\n", -1);
    // lines ends with "" after the text's final newline
    if (lines.length < 4) {
      throw bad("text needs an origin, a tree size and a root hash");
    }
    if (lines[0].isEmpty()) {
      throw bad("origin line is empty");
    }
    long size;
    try {
      size = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw bad("tree size '" + lines[1] + "' is not a number");
    }
    if (size < 0 || !lines[1].equals(Long.toString(size))) {
      throw bad("tree size '" + lines[1] + "' is not a decimal number");
    }
    byte[] root = base64(lines[2], "root hash");
    String rest = envelope.substring(blank + 2);
    if (rest.isEmpty() || !rest.endsWith("\n")) {
      throw bad("signature lines must be present and end with a newline");
    }
    List<NoteSignature> signatures = new ArrayList<>();
    for (String line : rest.substring(0, rest.length() - 1).split("\n", -1)) {
      if (signatures.size() == MAX_SIGNATURES) {
        throw bad("has more than " + MAX_SIGNATURES + " signatures");
      }
      signatures.add(signature(line));
    }
    return new Checkpoint(lines[0], size, root, text, signatures);
  }

  private static NoteSignature signature(String line) throws SigstoreVerificationException {
    if (!line.startsWith(SIGNATURE_PREFIX)) {
      throw bad("signature line does not start with an em dash and a space");
    }
    String[] parts = line.substring(SIGNATURE_PREFIX.length()).split(" ", -1);
    if (parts.length != 2 || parts[0].isEmpty()) {
      throw bad("signature line is not '\u2014 <name> <signature>'");
    }
    byte[] hintAndSignature = base64(parts[1], "signature");
    if (hintAndSignature.length < 5) {
      throw bad("signature is shorter than a key hint and one byte");
    }
    return new NoteSignature(
        parts[0],
        Arrays.copyOfRange(hintAndSignature, 0, 4),
        Arrays.copyOfRange(hintAndSignature, 4, hintAndSignature.length));
  }

  /**
   * Passes when a signature line named {@code name}, with {@code log}'s key hint, is a valid
   * signature of the text by the log's key.
   */
  public void requireSignedBy(TransparencyLog log, String name)
      throws SigstoreVerificationException {
    byte[] hint = keyHint(log.publicKeyDer(), name);
    byte[] text = signedText.getBytes(StandardCharsets.UTF_8);
    // Only the first line naming this log with its key hint is tried: a note padded with many
    // such lines would otherwise cost a signature check each.
    for (NoteSignature s : signatures) {
      if (s.name().equals(name) && Arrays.equals(s.keyHint(), hint)) {
        if (SignedEntryTimestamp.verifies(log.key(), text, s.signature())) {
          return;
        }
        throw new SigstoreVerificationException(
            "checkpoint signature of " + name + " is not valid");
      }
    }
    throw new SigstoreVerificationException(
        "checkpoint carries no signature by " + name + " with the log's key");
  }

  /**
   * The 4-byte key hint of the signed-note spec: for Ed25519, the first bytes of {@code
   * SHA-256(name || 0x0A || 0x01 || key)}; for the ECDSA keys Rekor v1 signs with, of {@code
   * SHA-256(DER SubjectPublicKeyInfo)}.
   */
  static byte[] keyHint(byte[] publicKeyDer, String name) {
    MessageDigest d = MerkleProofs.sha256();
    SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(publicKeyDer);
    if (EdECObjectIdentifiers.id_Ed25519.equals(spki.getAlgorithm().getAlgorithm())) {
      d.update(name.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0x0A);
      d.update((byte) 0x01);
      d.update(spki.getPublicKeyData().getBytes());
    } else {
      d.update(publicKeyDer);
    }
    return Arrays.copyOf(d.digest(), 4);
  }

  private static byte[] base64(String s, String what) throws SigstoreVerificationException {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw bad(what + " is not base64");
    }
  }

  private static SigstoreVerificationException bad(String why) {
    return new SigstoreVerificationException("checkpoint " + why);
  }
}
