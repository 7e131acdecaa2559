package io.portcullis.core.keys;

import java.security.MessageDigest;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * NaCl {@code crypto_secretbox} (XSalsa20-Poly1305), as specified in <a
 * href="https://cr.yp.to/highspeed/naclcrypto-20090310.pdf">Bernstein, "Cryptography in NaCl"</a>
 * and implemented by Go's {@code golang.org/x/crypto/nacl/secretbox}, which cosign uses.
 *
 * <p>BouncyCastle has both primitives but not the construction, so it is assembled here: the first
 * 32 bytes of the XSalsa20 keystream are the one-time Poly1305 key, the message is XORed with the
 * keystream that follows, and the 16-byte tag over the ciphertext is placed in front of it.
 */
final class SecretBox {
  static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 24;
  static final int TAG_BYTES = 16;

  private SecretBox() {}

  /** {@code tag || ciphertext}, exactly what Go's {@code secretbox.Seal} appends. */
  static byte[] seal(byte[] message, byte[] nonce, byte[] key) {
    XSalsa20Engine stream = stream(nonce, key, true);
    byte[] macKey = macKey(stream);
    byte[] box = new byte[TAG_BYTES + message.length];
    stream.processBytes(message, 0, message.length, box, TAG_BYTES);
    byte[] tag = tag(macKey, box, TAG_BYTES, message.length);
    System.arraycopy(tag, 0, box, 0, TAG_BYTES);
    Arrays.fill(macKey, (byte) 0);
    return box;
  }

  /** The message, or {@link WrongPasswordException} when the tag does not authenticate it. */
  static byte[] open(byte[] box, byte[] nonce, byte[] key) {
    if (box.length < TAG_BYTES) {
      throw new KeyFormatException("encrypted key ciphertext is shorter than its authenticator");
    }
    XSalsa20Engine stream = stream(nonce, key, false);
    byte[] macKey = macKey(stream);
    int length = box.length - TAG_BYTES;
    byte[] expected = tag(macKey, box, TAG_BYTES, length);
    Arrays.fill(macKey, (byte) 0);
    // constant time, so the comparison leaks nothing about how close a forged tag came
    if (!MessageDigest.isEqual(expected, Arrays.copyOf(box, TAG_BYTES))) {
      throw new WrongPasswordException();
    }
    byte[] message = new byte[length];
    stream.processBytes(box, TAG_BYTES, length, message, 0);
    return message;
  }

  private static XSalsa20Engine stream(byte[] nonce, byte[] key, boolean encrypt) {
    if (nonce.length != NONCE_BYTES) {
      throw new KeyFormatException("secretbox nonce must be 24 bytes, got " + nonce.length);
    }
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("secretbox key must be 32 bytes");
    }
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(encrypt, new ParametersWithIV(new KeyParameter(key), nonce));
    return engine;
  }

  private static byte[] macKey(XSalsa20Engine stream) {
    byte[] macKey = new byte[KEY_BYTES];
    stream.processBytes(new byte[KEY_BYTES], 0, KEY_BYTES, macKey, 0);
    return macKey;
  }

  private static byte[] tag(byte[] macKey, byte[] data, int offset, int length) {
    Poly1305 mac = new Poly1305();
    mac.init(new KeyParameter(macKey));
    mac.update(data, offset, length);
    byte[] tag = new byte[TAG_BYTES];
    mac.doFinal(tag, 0);
    return tag;
  }
}
