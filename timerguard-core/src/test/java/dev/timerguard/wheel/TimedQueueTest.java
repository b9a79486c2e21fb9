package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The callback pool's FIFO keeps order and each callback's queuing time through wrap and growth.
 */
class TimedQueueTest {

  /** A callback that knows its number, so order can be checked. */
  record Numbered(int n) implements Runnable {
    @Override
    public void run() {}
  }

  @Test
  void keepsOrderAndTimesAcrossWrapAndGrowthLikeADeque() {
    TimedQueue q = new TimedQueue();
    ArrayDeque<long[]> model = new ArrayDeque<>(); // {n, time}
    Random rnd = new Random(17);
    int next = 0;
    for (int op = 0; op < 20_000; op++) {
      int kind = rnd.nextInt(10);
      if (kind < 5) {
        q.addLast(new Numbered(next), 1000L + next);
        model.addLast(new long[] {next, 1000L + next});
        next++;
      } else if (kind < 6) {
        q.addFirst(new Numbered(next), -next);
        model.addFirst(new long[] {next, -next});
        next++;
      } else {
        if (!model.isEmpty()) {
          assertThat(q.firstQueuedAt()).isEqualTo(model.peekFirst()[1]);
        }
        Runnable r = q.pollFirst();
        long[] m = model.pollFirst();
        if (m == null) {
          assertThat(r).isNull();
        } else {
          assertThat(((Numbered) r).n()).isEqualTo(m[0]);
        }
      }
      assertThat(q.size()).isEqualTo(model.size());
      assertThat(q.isEmpty()).isEqualTo(model.isEmpty());
    }
    List<Runnable> rest = q.drain();
    List<Integer> expected = new ArrayList<>();
    model.forEach(m -> expected.add((int) m[0]));
    assertThat(rest).extracting(r -> ((Numbered) r).n()).containsExactlyElementsOf(expected);
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.pollFirst()).isNull();
  }

  @Test
  void growsPastItsFirstCapacityFromAWrappedHead() {
    TimedQueue q = new TimedQueue();
    for (int i = 0; i < 10; i++) {
      q.addLast(new Numbered(i), i);
    }
    for (int i = 0; i < 10; i++) {
      q.pollFirst(); // the head is now in the middle of the ring
    }
    for (int i = 0; i < 100; i++) {
      q.addLast(new Numbered(i), 100 + i);
    }
    assertThat(q.size()).isEqualTo(100);
    for (int i = 0; i < 100; i++) {
      assertThat(q.firstQueuedAt()).isEqualTo(100 + i);
      assertThat(((Numbered) q.pollFirst()).n()).isEqualTo(i);
    }
  }
}
