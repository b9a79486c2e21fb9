package dev.timerguard.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcLogTest {

  @TempDir Path dir;

  GcLog parse(String text, double from, double to) throws Exception {
    Path f = dir.resolve("gc.log");
    Files.writeString(f, text);
    return GcLog.parse(f, from, to);
  }

  @Test
  void g1PausesAreYoungOrOldAndHeapAfterIsRead() throws Exception {
    GcLog g =
        parse(
            "[0.440s][gc       ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 18M->5M(380M) 7.641ms\n"
                + "[0.440s][gc,cpu   ] GC(0) User=0.01s Sys=0.00s Real=0.01s\n"
                + "[1.000s][gc,phases] GC(0)   Evacuate Collection Set: 5.1ms\n"
                + "[1.200s][gc       ] GC(1) Pause Young (Concurrent Start) (G1 Evacuation Pause) 30M->29M(380M) 8.348ms\n"
                + "[1.300s][gc       ] GC(2) Pause Remark 40M->40M(380M) 1.500ms\n"
                + "[1.400s][gc       ] GC(2) Pause Cleanup 40M->40M(380M) 0.100ms\n"
                + "[1.500s][gc       ] GC(3) Pause Young (Mixed) (G1 Evacuation Pause) 44M->20M(380M) 9.000ms\n"
                + "[9.000s][gc       ] GC(4) Pause Full (System.gc()) 44M->10M(380M) 50.000ms\n",
            0.4,
            2.0);
    assertThat(g.youngMs).containsExactly(7.641, 8.348);
    assertThat(g.oldMs).containsExactly(1.5, 0.1, 9.0);
    assertThat(g.heapAfterMb).containsExactly(5.0, 29.0, 40.0, 40.0, 20.0);
    assertThat(g.stallMs).isEmpty();
  }

  @Test
  void nonGenerationalZgcPausesCountAsOldAndStallsAreSeparate() throws Exception {
    GcLog g =
        parse(
            "[0.619s][gc,phases] GC(0) Pause Mark Start 0.007ms\n"
                + "[0.646s][gc,phases] GC(0) Pause Mark End 0.014ms\n"
                + "[0.650s][gc,phases] GC(0) Concurrent Mark 20.000ms\n"
                + "[0.660s][gc       ] Allocation Stall (churn-0) 12.345ms\n"
                + "[0.704s][gc       ] GC(0) Garbage Collection (Warmup) 104M(10%)->160M(16%)\n",
            0, 1);
    assertThat(g.youngMs).isEmpty();
    assertThat(g.oldMs).containsExactly(0.007, 0.014);
    assertThat(g.stallMs).containsExactly(12.345);
    assertThat(g.heapAfterMb).containsExactly(160.0);
  }

  @Test
  void generationalZgcTagsYoungAndOld() throws Exception {
    GcLog g =
        parse(
            "[0.647s][gc,phases] GC(0) Y: Pause Mark Start (Major) 0.012ms\n"
                + "[0.699s][gc,phases] GC(0) O: Pause Mark End 0.013ms\n"
                + "[0.714s][gc] GC(0) Major Collection (Warmup) 104M(10%)->238M(23%) 0.060s\n"
                + "[5.000s][gc,phases] GC(1) Y: Pause Mark Start 0.020ms\n",
            0, 1);
    assertThat(g.youngMs).containsExactly(0.012);
    assertThat(g.oldMs).containsExactly(0.013);
    assertThat(g.heapAfterMb).containsExactly(238.0);
  }
}
