package io.portcullis.core.notation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A minimal CBOR encoder for tests: builds COSE structures with chosen (hostile) values. */
final class CborWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static byte[] encode(Object value) {
    CborWriter w = new CborWriter();
    w.write(value);
    return w.out.toByteArray();
  }

  /** A tagged item. */
  record Tag(long tag, Object value) {}

  private void write(Object value) {
    if (value instanceof Long n) {
      if (n >= 0) {
        head(0, n);
      } else {
        head(1, -1 - n);
      }
    } else if (value instanceof Integer n) {
      write((long) n);
    } else if (value instanceof byte[] b) {
      head(2, b.length);
      out.writeBytes(b);
    } else if (value instanceof String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      head(3, b.length);
      out.writeBytes(b);
    } else if (value instanceof java.util.List<?> list) {
      head(4, list.size());
      list.forEach(this::write);
    } else if (value instanceof Map<?, ?> map) {
      head(5, map.size());
      map.forEach(
          (k, v) -> {
            write(k);
            write(v);
          });
    } else if (value instanceof Tag t) {
      head(6, t.tag());
      write(t.value());
    } else if (value instanceof Double d) {
      out.write(0xfb);
      long bits = Double.doubleToLongBits(d);
      for (int i = 7; i >= 0; i--) {
        out.write((int) (bits >>> (8 * i)) & 0xff);
      }
    } else if (value instanceof Boolean b) {
      out.write(b ? 0xf5 : 0xf4);
    } else {
      throw new IllegalArgumentException("cannot encode " + value);
    }
  }

  // The shortest head (RFC 8949 section 4.2.1), as Notation writes it, so that a generated
  // envelope has a real one's byte layout.
  private void head(int major, long n) {
    int type = major << 5;
    if (n < 24) {
      out.write(type | (int) n);
      return;
    }
    int size = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x100000000L ? 4 : 8;
    out.write(type | (24 + Integer.numberOfTrailingZeros(size)));
    for (int i = size - 1; i >= 0; i--) {
      out.write((int) (n >>> (8 * i)) & 0xff);
    }
  }
}
