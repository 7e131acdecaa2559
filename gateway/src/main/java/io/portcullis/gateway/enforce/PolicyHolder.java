package io.portcullis.gateway.enforce;

import io.portcullis.core.policy.PolicyEvaluator;
import io.portcullis.core.policy.PolicyException;
import io.portcullis.core.policy.TrustPolicy;
import io.portcullis.core.policy.TrustPolicyLoader;
import io.portcullis.gateway.config.GatewayConfig.PolicyConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust policy in force, re-read when its file changes. A new file that does not validate is
 * refused with a logged error and the previous policy stays in force, so a typo never opens the
 * gate. The file is checked on a worker thread, never on the event loop.
 */
public final class PolicyHolder {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyHolder.class);

  /** A loaded policy and the evaluator (with its parsed keys and trust stores) made for it. */
  public record Loaded(TrustPolicy policy, PolicyEvaluator evaluator) {}

  private final Path file;
  private volatile Loaded current;
  private volatile Stamp stamp;
  private long timer = -1;

  private record Stamp(FileTime modified, long size) {}

  public PolicyHolder(PolicyConfig config) {
    this.file = config.file();
    this.stamp = stampOf(file);
    this.current = load(file);
  }

  public Loaded current() {
    return current;
  }

  /** Starts watching the file. */
  public void watch(Vertx vertx, long intervalMillis) {
    timer =
        vertx.setPeriodic(
            intervalMillis,
            id ->
                vertx.executeBlocking(
                    () -> {
                      reloadIfChanged();
                      return null;
                    },
                    false));
  }

  public void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Re-reads the file when its time or size changed; visible for tests. */
  synchronized boolean reloadIfChanged() {
    Stamp now = stampOf(file);
    if (now == null || now.equals(stamp)) {
      return false;
    }
    stamp = now;
    try {
      Loaded next = load(file);
      if (next.policy().revision().equals(current.policy().revision())) {
        return false;
      }
      current = next;
      LOG.info("trust policy reloaded from {} (revision {})", file, shortRevision(next));
      return true;
    } catch (PolicyException e) {
      LOG.error(
          "trust policy {} was changed but is invalid; keeping revision {} in force: {}",
          file,
          shortRevision(current),
          e.getMessage());
      return false;
    }
  }

  private static Loaded load(Path file) {
    TrustPolicy policy = TrustPolicyLoader.load(file);
    return new Loaded(policy, new PolicyEvaluator(policy, Clock.systemUTC()));
  }

  private static String shortRevision(Loaded loaded) {
    String r = loaded.policy().revision();
    return r.length() > 19 ? r.substring(0, 19) : r;
  }

  private static Stamp stampOf(Path file) {
    try {
      return new Stamp(Files.getLastModifiedTime(file), Files.size(file));
    } catch (IOException e) {
      return null;
    }
  }
}
