package dev.timerguard.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GcCostPlanTest {

  @Test
  void modesSetSizesAndDurations() {
    GcCost.Plan quick = GcCost.plan(new String[] {"quick"});
    assertThat(quick.pending).containsExactly(0, 100_000, 1_000_000);
    assertThat(quick.measureSeconds).isEqualTo(5);
    GcCost.Plan full = GcCost.plan(new String[] {"full", "gc=Z", "engines=wheel,netty"});
    assertThat(full.pending).containsExactly(0, 100_000, 1_000_000, 4_000_000);
    assertThat(full.gcs).containsExactly("Z");
    assertThat(full.engines).containsExactly("wheel", "netty");
    assertThat(full.rounds).isEqualTo(1);
    assertThat(GcCost.plan(new String[] {"quick", "rounds=3"}).rounds).isEqualTo(3);
  }

  @Test
  void badArgumentsNameTheArgumentAndTheAcceptedValues() {
    assertThatThrownBy(() -> GcCost.plan(new String[0])).hasMessageContaining("quick or full");
    assertThatThrownBy(() -> GcCost.plan(new String[] {"quick", "gc=Shenandoah"}))
        .hasMessageContaining("gc=Shenandoah")
        .hasMessageContaining("G1, Z");
    assertThatThrownBy(() -> GcCost.plan(new String[] {"quick", "engines=wheel,hashed"}))
        .hasMessageContaining("unknown engine 'hashed'")
        .hasMessageContaining("stpe,stpeRemove,fjp");
    assertThatThrownBy(() -> GcCost.plan(new String[] {"quick", "pending=-1"}))
        .hasMessageContaining("pending=-1: expected a whole number >= 0");
    assertThatThrownBy(() -> GcCost.plan(new String[] {"quick", "colour=red"}))
        .hasMessageContaining("unknown argument 'colour=red'");
    assertThatThrownBy(() -> GcCost.plan(new String[] {"quick", "rounds=0"}))
        .hasMessageContaining("rounds=0: expected 1 to 20");
    assertThatThrownBy(() -> GcCost.plan(new String[] {"quick", "rounds=many"}))
        .hasMessageContaining("rounds=many: expected a whole number");
    assertThatThrownBy(() -> GcCost.plan(new String[] {"quick", "measure=0"}))
        .hasMessageContaining("measure=0");
    assertThatThrownBy(() -> GcCost.plan(new String[] {"full", "rate=100000"}))
        .hasMessageContaining("pending=4000000 at rate=100000")
        .hasMessageContaining("before its 30 s deadline");
  }

  @Test
  void unknownEngineNamesTheAcceptedOnes() {
    assertThatThrownBy(() -> Engine.create("quartz"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown engine 'quartz': accepted names are "
                + String.join(
                    ", ",
                    List.of(
                        "stpe",
                        "stpeRemove",
                        "fjp",
                        "netty",
                        "agrona",
                        "kafka",
                        "wheel",
                        "wheelCounted",
                        "wheelDeadlines")));
  }

  @Test
  void fjpIsAvailableOnlyFromJdk25() {
    assertThat(Engine.available().contains("fjp")).isEqualTo(Runtime.version().feature() >= 25);
  }
}
