package io.portcullis.core.notation;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader for the CBOR (<a href="https://www.rfc-editor.org/rfc/rfc8949">RFC 8949</a>)
 * subset COSE_Sign1 uses: integers, byte and text strings, arrays, maps, tags and simple values,
 * all of definite length.
 *
 * <p>Why not jackson-dataformat-cbor: COSE header maps mix integer labels (1 = alg, 33 = x5chain)
 * with text labels, and Jackson turns every map key into a text field name, so label {@code 1} and
 * a text key {@code "1"} become indistinguishable; it also hides tags inside tree nodes. Telling
 * them apart is a security property here (an attacker must not smuggle {@code alg} under a text
 * key), and the subset is small enough to read exactly.
 *
 * <p>Values map to Java as: {@link Long}, {@code byte[]}, {@link String}, {@link List}, {@link Map}
 * (insertion ordered, duplicate keys refused), {@link Tagged}, {@link Boolean}, {@code null}
 * ({@link #NULL}) and {@link Double}. Indefinite lengths and integers beyond {@code long} are
 * refused.
 */
final class CborReader {
  /** CBOR {@code null}, distinct from "absent". */
  static final Object NULL = new Object();

  private static final int MAX_DEPTH = 16;

  private final byte[] data;
  private int pos;

  /** A tagged data item. */
  record Tagged(long tag, Object value) {}

  private CborReader(byte[] data) {
    this.data = data;
  }

  /** Reads exactly one data item spanning all of {@code data}. */
  static Object read(byte[] data) {
    CborReader reader = new CborReader(data);
    Object value = reader.item(0);
    if (reader.pos != data.length) {
      throw new EnvelopeException("CBOR has " + (data.length - reader.pos) + " trailing bytes");
    }
    return value;
  }

  private Object item(int depth) {
    if (depth > MAX_DEPTH) {
      throw new EnvelopeException("CBOR nests deeper than " + MAX_DEPTH);
    }
    int initial = u8();
    int major = initial >>> 5;
    int info = initial & 0x1f;
    if (major == 7) {
      return simple(info);
    }
    long arg = argument(info);
    return switch (major) {
      case 0 -> arg;
      case 1 -> -1 - arg;
      case 2 -> bytes(arg);
      case 3 -> text(bytes(arg));
      case 4 -> {
        List<Object> list = new ArrayList<>();
        long n = count(arg);
        for (long i = 0; i < n; i++) {
          list.add(item(depth + 1));
        }
        yield list;
      }
      case 5 -> {
        Map<Object, Object> map = new LinkedHashMap<>();
        long n = count(arg);
        for (long i = 0; i < n; i++) {
          Object key = item(depth + 1);
          if (!(key instanceof Long) && !(key instanceof String)) {
            throw new EnvelopeException("CBOR map key must be an integer or a text string");
          }
          if (map.put(key, item(depth + 1)) != null) {
            throw new EnvelopeException("CBOR map repeats key " + key);
          }
        }
        yield map;
      }
      case 6 -> new Tagged(arg, item(depth + 1));
      default -> throw new IllegalStateException("unreachable major type " + major);
    };
  }

  private Object simple(int info) {
    return switch (info) {
      case 20 -> Boolean.FALSE;
      case 21 -> Boolean.TRUE;
      case 22 -> NULL;
      case 26 -> (double) Float.intBitsToFloat((int) uint(4));
      case 27 -> Double.longBitsToDouble(uint(8));
      default -> throw new EnvelopeException("unsupported CBOR simple value " + info);
    };
  }

  private long argument(int info) {
    if (info < 24) {
      return info;
    }
    long value =
        switch (info) {
          case 24 -> uint(1);
          case 25 -> uint(2);
          case 26 -> uint(4);
          case 27 -> uint(8);
          default ->
              throw new EnvelopeException(
                  "unsupported CBOR length encoding " + info + " (indefinite lengths are refused)");
        };
    if (value < 0) {
      throw new EnvelopeException("CBOR integer exceeds 63 bits");
    }
    return value;
  }

  // Every element takes at least one byte, so a count above what remains is a lie; refusing it
  // early keeps a forged header from making us allocate or loop for nothing.
  private long count(long n) {
    if (n > data.length - pos) {
      throw new EnvelopeException("CBOR container claims more items than bytes remain");
    }
    return n;
  }

  private byte[] bytes(long length) {
    if (length > data.length - pos) {
      throw new EnvelopeException("CBOR string runs past the end of the data");
    }
    byte[] out = Arrays.copyOfRange(data, pos, pos + (int) length);
    pos += (int) length;
    return out;
  }

  private static String text(byte[] utf8) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new EnvelopeException("CBOR text string is not valid UTF-8");
    }
  }

  private long uint(int size) {
    if (size > data.length - pos) {
      throw new EnvelopeException("CBOR data ends early");
    }
    long value = 0;
    for (int i = 0; i < size; i++) {
      value = (value << 8) | (data[pos++] & 0xff);
    }
    return value;
  }

  private int u8() {
    return (int) uint(1);
  }
}
