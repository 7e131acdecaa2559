package io.portcullis.core.keys;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The JSON inside an encrypted cosign key's PEM body: a wire template, kept apart from the domain
 * API. Field names and order are cosign's ({@code kdf{name,params{N,r,p},salt}}, {@code
 * cipher{name,nonce}}, {@code ciphertext}); byte fields are standard padded base64.
 */
@JsonPropertyOrder({"kdf", "cipher", "ciphertext"})
@JsonIgnoreProperties(ignoreUnknown = true)
record EncryptedKeyDocument(
    @JsonProperty("kdf") Kdf kdf,
    @JsonProperty("cipher") Cipher cipher,
    @JsonProperty("ciphertext") String ciphertext) {

  static final String SCRYPT = "scrypt";
  static final String SECRETBOX = "nacl/secretbox";

  @JsonPropertyOrder({"name", "params", "salt"})
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Kdf(
      @JsonProperty("name") String name,
      @JsonProperty("params") Params params,
      @JsonProperty("salt") String salt) {}

  @JsonPropertyOrder({"N", "r", "p"})
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Params(
      @JsonProperty("N") Integer n, @JsonProperty("r") Integer r, @JsonProperty("p") Integer p) {}

  @JsonPropertyOrder({"name", "nonce"})
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Cipher(@JsonProperty("name") String name, @JsonProperty("nonce") String nonce) {}
}
