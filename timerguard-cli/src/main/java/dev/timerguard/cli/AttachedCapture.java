package dev.timerguard.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import jdk.management.jfr.FlightRecorderMXBean;

/**
 * {@link CaptureTarget} over an {@link AttachSession}'s JMX connection: thread dumps through the
 * {@code DiagnosticCommand} MBean, the flight recording through the target's {@code
 * FlightRecorderMXBean}. Each call waits at most the session's timeout. Not thread-safe; lives as
 * long as its session.
 */
final class AttachedCapture implements CaptureTarget {

  /** TimerGuard's JFR events (the agent's and the always-on watch's), all enabled. */
  static final String[] EVENTS = {
    "dev.timerguard.TimerScheduled",
    "dev.timerguard.TimerCancelled",
    "dev.timerguard.TimerFired",
    "dev.timerguard.GrowthSeverityChanged",
    "jdk.ThreadStart",
    "jdk.ThreadEnd"
  };

  private static final String DCMD = "com.sun.management:type=DiagnosticCommand";
  private static final String JFR = "jdk.management.jfr:type=FlightRecorder";

  private final AttachSession session;

  AttachedCapture(AttachSession session) {
    this.session = session;
  }

  private MBeanServerConnection mbs() {
    return session.connection();
  }

  @Override
  public int featureVersion() throws Exception {
    return session.bounded(
        "reading its Java version",
        () -> {
          RuntimeMXBean rt =
              ManagementFactory.newPlatformMXBeanProxy(
                  mbs(), ManagementFactory.RUNTIME_MXBEAN_NAME, RuntimeMXBean.class);
          return Runtime.Version.parse(rt.getSpecVersion()).feature();
        });
  }

  @Override
  public void threadDumpJson(Path file) throws Exception {
    dcmd("writing a JSON thread dump", "threadDumpToFile", "-format=json", file.toString());
  }

  @Override
  public String threadDumpText() throws Exception {
    return dcmd("dumping its threads as text", "threadPrint", "-l");
  }

  private String dcmd(String step, String operation, String... args) throws Exception {
    return session.bounded(
        step,
        () ->
            (String)
                mbs()
                    .invoke(
                        new ObjectName(DCMD),
                        operation,
                        new Object[] {args},
                        new String[] {String[].class.getName()}));
  }

  private FlightRecorderMXBean recorder() throws Exception {
    return JMX.newMXBeanProxy(mbs(), new ObjectName(JFR), FlightRecorderMXBean.class);
  }

  @Override
  public long startRecording(Path file, Duration limit) throws Exception {
    return session.bounded(
        "starting a flight recording",
        () -> {
          FlightRecorderMXBean jfr = recorder();
          long id = jfr.newRecording();
          try {
            Map<String, String> settings = new LinkedHashMap<>();
            for (String e : EVENTS) {
              settings.put(e + "#enabled", "true");
            }
            jfr.setRecordingSettings(id, settings);
            Map<String, String> options = new LinkedHashMap<>();
            options.put("name", "timerguard-doctor");
            options.put("destination", file.toString());
            options.put("duration", Math.max(1, limit.toSeconds()) + " s");
            options.put("dumpOnExit", "true");
            options.put("disk", "true");
            jfr.setRecordingOptions(id, options);
            jfr.startRecording(id);
            return id;
          } catch (Exception | Error e) {
            try {
              jfr.closeRecording(id);
            } catch (Exception ignored) {
              // the first failure is the one to report
            }
            throw e;
          }
        });
  }

  @Override
  public void stopRecording(long id) throws Exception {
    session.bounded(
        "stopping the flight recording",
        () -> {
          FlightRecorderMXBean jfr = recorder();
          try {
            jfr.stopRecording(id);
          } finally {
            jfr.closeRecording(id);
          }
          return null;
        });
  }
}
