package io.portcullis.core.x509;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * PEM encoding for the certificates and the unencrypted PKCS#8 private keys this package writes and
 * the signer reads (PEM label {@code PRIVATE KEY}, <a
 * href="https://www.rfc-editor.org/rfc/rfc7468#section-10">RFC 7468 section 10</a>). Private key
 * files are created owner-only (0600) before any byte is written, so the key is never readable by
 * others, not even briefly.
 */
public final class PemFiles {
  private PemFiles() {}

  /** The certificates as concatenated PEM blocks, in order. */
  public static String certificates(List<X509Certificate> certs) {
    return encode(certs.toArray());
  }

  /** The private key as a PKCS#8 PEM block. */
  public static String privateKey(PrivateKey key) {
    try {
      return encode(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the private key as PKCS#8", e);
    }
  }

  /** Reads one unencrypted PKCS#8 private key ({@code PRIVATE KEY}); other forms are refused. */
  public static PrivateKey readPrivateKey(Path path) {
    try (PEMParser parser =
        new PEMParser(new StringReader(Files.readString(path, StandardCharsets.US_ASCII)))) {
      Object object = parser.readObject();
      if (!(object instanceof PrivateKeyInfo info)) {
        throw new IllegalArgumentException(
            path + " is not an unencrypted PKCS#8 'PRIVATE KEY' PEM file");
      }
      return new JcaPEMKeyConverter().getPrivateKey(info);
    } catch (IOException e) {
      // The parser's message may quote file content; keep only the path.
      throw new IllegalArgumentException("cannot read private key " + path);
    }
  }

  /** Writes {@code text} to a new file; refuses to replace an existing one unless asked. */
  public static void writePublic(Path path, String text, boolean overwrite) throws IOException {
    prepare(path, overwrite);
    Files.writeString(path, text, StandardCharsets.US_ASCII);
  }

  /** Writes {@code text} to a new owner-only (0600) file; refuses to replace unless asked. */
  public static void writeSecret(Path path, String text, boolean overwrite) throws IOException {
    prepare(path, overwrite);
    if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(path);
      var file = path.toFile();
      boolean restricted =
          file.setReadable(false, false)
              && file.setReadable(true, true)
              && file.setWritable(false, false)
              && file.setWritable(true, true);
      if (!restricted) {
        Files.delete(path);
        throw new IOException("cannot restrict " + path + " to its owner");
      }
    }
    Files.writeString(path, text, StandardCharsets.US_ASCII);
  }

  private static void prepare(Path path, boolean overwrite) throws IOException {
    if (Files.exists(path)) {
      if (!overwrite) {
        throw new FileAlreadyExistsException(path + " exists; pass overwrite to replace it");
      }
      // Delete rather than truncate so a new key file never inherits a looser mode.
      Files.delete(path);
    }
  }

  private static String encode(Object... objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object object : objects) {
        writer.writeObject(object);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode PEM", e);
    }
    return out.toString();
  }
}
