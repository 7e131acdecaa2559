package io.portcullis.gateway.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes in config: {@code 512}, {@code 100MiB}, {@code 20GiB}, {@code 1TB}. */
final class ByteSizes {
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,15})\\s*([kmgt]i?b?|b)?", Pattern.CASE_INSENSITIVE);

  private ByteSizes() {}

  static long parse(String value, String key) {
    Matcher m = SIZE.matcher(value.trim());
    if (!m.matches()) {
      throw new ConfigException(
          key + ": '" + value + "' is not a size (e.g. 512MiB, 20GiB, 1TB or a number of bytes)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    int power =
        switch (unit.charAt(0)) {
          case 'k' -> 1;
          case 'm' -> 2;
          case 'g' -> 3;
          case 't' -> 4;
          default -> 0;
        };
    long base = unit.contains("i") || unit.length() == 1 && power > 0 ? 1024 : 1000;
    long result = n;
    for (int i = 0; i < power; i++) {
      if (result > Long.MAX_VALUE / base) {
        throw new ConfigException(key + ": '" + value + "' is too large");
      }
      result *= base;
    }
    return result;
  }
}
