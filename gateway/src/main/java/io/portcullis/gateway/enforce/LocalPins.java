package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Digest;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;

/** The pins of a gateway without shared state: its {@link PinStore}, answered at once. */
final class LocalPins implements Pins {
  private final PinStore store;

  LocalPins(PinStore store) {
    this.store = store;
  }

  @Override
  public Future<Optional<Digest>> get(String upstream, String repository, String tag) {
    return Future.succeededFuture(store.get(repository, tag));
  }

  @Override
  public Future<Optional<Digest>> pinFirst(
      String upstream, String repository, String tag, Digest digest) {
    return Future.succeededFuture(store.pinFirst(repository, tag, digest));
  }

  @Override
  public Future<Void> approved(
      String upstream, String repository, String tag, Digest digest, Instant seenAt) {
    store.put(repository, tag, digest);
    return Future.succeededFuture();
  }

  @Override
  public boolean hasRoom() {
    return store.hasRoom();
  }

  @Override
  public int capacity() {
    return store.capacity();
  }

  @Override
  public String where() {
    return "the gateway's pins.json";
  }
}
