package io.portcullis.core.keys;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * One PEM block, per <a href="https://www.rfc-editor.org/rfc/rfc7468">RFC 7468</a>: a label and the
 * bytes its base64 body decodes to. Parsing and line wrapping are BouncyCastle's.
 */
public record PemBlock(String label, byte[] content) {

  public PemBlock {
    content = content.clone();
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  /** Every block in {@code text}, in order; text outside blocks is ignored, as OpenSSL does. */
  public static List<PemBlock> readAll(String text) {
    List<PemBlock> blocks = new ArrayList<>();
    try (PemReader reader = new PemReader(new StringReader(text))) {
      PemObject object;
      while ((object = reader.readPemObject()) != null) {
        blocks.add(new PemBlock(object.getType(), object.getContent()));
      }
    } catch (IOException | RuntimeException e) {
      // BouncyCastle reports bad base64 as a DecoderException (a RuntimeException)
      throw new KeyFormatException("malformed PEM: " + oneLine(e.getMessage()));
    }
    return blocks;
  }

  /** The single block of {@code text}, which must carry one of {@code labels}. */
  public static PemBlock readSingle(String text, Set<String> labels) {
    List<PemBlock> blocks = readAll(text);
    if (blocks.isEmpty()) {
      throw new KeyFormatException("no PEM block found; expected " + String.join(" or ", labels));
    }
    if (blocks.size() > 1) {
      throw new KeyFormatException("expected one PEM block but found " + blocks.size());
    }
    PemBlock block = blocks.get(0);
    if (!labels.contains(block.label())) {
      throw new KeyFormatException(
          "unexpected PEM label '" + block.label() + "'; expected " + String.join(" or ", labels));
    }
    return block;
  }

  /** The block as PEM text with 64-character lines and a trailing newline. */
  public String encode() {
    StringWriter out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      writer.writeObject(new PemObject(label, content));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PemBlock b
        && b.label.equals(label)
        && Arrays.equals(b.content, content);
  }

  @Override
  public int hashCode() {
    return label.hashCode() * 31 + Arrays.hashCode(content);
  }

  @Override
  public String toString() {
    // never print the body: it may be (encrypted) key material
    return "PemBlock[" + label + ", " + content.length + " bytes]";
  }

  private static String oneLine(String message) {
    return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
  }
}
