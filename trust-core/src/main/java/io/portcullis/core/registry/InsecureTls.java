package io.portcullis.core.registry;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A client TLS context that trusts any server: for registries the user named insecure, and for the
 * gateway's handshakes with its own listener. An extended trust manager that checks nothing also
 * skips the JDK's host-name check, which lives inside the trust manager; a client that uses this
 * context is only ever handed requests for those hosts.
 */
public final class InsecureTls {
  private InsecureTls() {}

  /** A new context whose trust manager accepts every certificate. */
  public static SSLContext context() {
    return context(null);
  }

  /** The same, presenting the client certificates of {@code keys} when a server asks. */
  public static SSLContext context(KeyManager[] keys) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, new TrustManager[] {new TrustingManager()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK cannot create a TLS context", e);
    }
  }

  private static final class TrustingManager extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
