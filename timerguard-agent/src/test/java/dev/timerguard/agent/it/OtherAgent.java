package dev.timerguard.agent.it;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.concurrent.atomic.AtomicInteger;

/** A second, unrelated agent for the coexistence test: it watches every class load. */
public final class OtherAgent {

  static final AtomicInteger SEEN = new AtomicInteger();

  private OtherAgent() {}

  public static void premain(String args, Instrumentation inst) {
    inst.addTransformer(
        new ClassFileTransformer() {
          @Override
          public byte[] transform(
              ClassLoader l, String name, Class<?> c, ProtectionDomain d, byte[] b) {
            SEEN.incrementAndGet();
            return null;
          }
        },
        true);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {}));
    System.out.println("other agent loaded");
  }
}
