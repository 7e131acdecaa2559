package io.portcullis.testkit.sigstore;

/**
 * The <a href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio certificate
 * extension OIDs</a> under {@code 1.3.6.1.4.1.57264.1}. The legacy ones (.1 to .6) hold the raw
 * UTF-8 string as the extension value; the later ones (.8 on) a DER UTF8String.
 */
public final class FulcioOids {
  private FulcioOids() {}

  private static final String BASE = "1.3.6.1.4.1.57264.1.";

  public static final String ISSUER_V1 = BASE + "1";
  public static final String GITHUB_WORKFLOW_TRIGGER = BASE + "2";
  public static final String GITHUB_WORKFLOW_SHA = BASE + "3";
  public static final String GITHUB_WORKFLOW_NAME = BASE + "4";
  public static final String GITHUB_WORKFLOW_REPOSITORY = BASE + "5";
  public static final String GITHUB_WORKFLOW_REF = BASE + "6";
  public static final String OTHER_NAME = BASE + "7";
  public static final String ISSUER_V2 = BASE + "8";
  public static final String BUILD_SIGNER_URI = BASE + "9";
  public static final String BUILD_SIGNER_DIGEST = BASE + "10";
  public static final String RUNNER_ENVIRONMENT = BASE + "11";
  public static final String SOURCE_REPOSITORY_URI = BASE + "12";
  public static final String SOURCE_REPOSITORY_DIGEST = BASE + "13";
  public static final String SOURCE_REPOSITORY_REF = BASE + "14";
  public static final String SOURCE_REPOSITORY_IDENTIFIER = BASE + "15";
  public static final String SOURCE_REPOSITORY_OWNER_URI = BASE + "16";
  public static final String SOURCE_REPOSITORY_OWNER_IDENTIFIER = BASE + "17";
  public static final String BUILD_CONFIG_URI = BASE + "18";
  public static final String BUILD_CONFIG_DIGEST = BASE + "19";
  public static final String BUILD_TRIGGER = BASE + "20";
  public static final String RUN_INVOCATION_URI = BASE + "21";
  public static final String SOURCE_REPOSITORY_VISIBILITY = BASE + "22";

  /** The CT poison extension of a precertificate (RFC 6962 3.1). */
  public static final String CT_POISON = "1.3.6.1.4.1.11129.2.4.3";

  /** The embedded SCT list extension (RFC 6962 3.3). */
  public static final String CT_SCT_LIST = "1.3.6.1.4.1.11129.2.4.2";

  /** Whether the extension's value is the raw string (.1 to .6) rather than a DER UTF8String. */
  static boolean raw(String oid) {
    if (!oid.startsWith(BASE)) {
      return false;
    }
    int arc = Integer.parseInt(oid.substring(BASE.length()));
    return arc >= 1 && arc <= 6;
  }
}
