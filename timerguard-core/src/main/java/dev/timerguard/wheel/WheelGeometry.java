package dev.timerguard.wheel;

import java.util.function.IntPredicate;

/**
 * The shape of a hierarchical timing wheel, shared (read-only) by the wheels built on it: the
 * scheduler's {@link Shard}s and the stripes of its {@link Deadlines} sets.
 *
 * <p>Time is counted in ticks of {@code 2^tickShift} ns. Level 0 has {@code 2^bits0} buckets of one
 * tick each; each higher level has 256 buckets, each spanning a whole turn of the level below, and
 * there are enough levels to cover all of {@code 2^63} ns. A timer due {@code d} ticks after the
 * cursor goes to level {@code levelOfBit[63 - numberOfLeadingZeros(d)]}, in bucket {@code (tick >>>
 * shift[level]) & mask[level]}. A wheel whose bucket heads are numbered (a {@link DeadlineStripe})
 * numbers them level after level from {@code headBase[level]}, {@code heads} in all.
 */
final class WheelGeometry {

  /** Buckets on every level above the first: 256. */
  static final int UPPER_BITS = 8;

  final int tickShift;

  /** Per level: where its bucket index starts in a tick count. */
  final int[] shift;

  /** Per level: the bucket index mask. */
  final int[] mask;

  /** Per level: the number of its first bucket head, for wheels that number their heads. */
  final int[] headBase;

  /** The level of a delay of d ticks, indexed by the position of d's highest set bit. */
  final byte[] levelOfBit = new byte[64];

  /** Buckets on all levels. */
  final int heads;

  WheelGeometry(int tickShift, int bits0) {
    this.tickShift = tickShift;
    int tickBits = 63 - tickShift; // ticks needed to count to 2^63 ns
    int levels = 1 + Math.max(0, (tickBits - bits0 + UPPER_BITS - 1) / UPPER_BITS);
    this.shift = new int[levels];
    this.mask = new int[levels];
    this.headBase = new int[levels];
    int h = 0;
    for (int i = 0; i < levels; i++) {
      int b = i == 0 ? bits0 : UPPER_BITS;
      shift[i] = i == 0 ? 0 : bits0 + UPPER_BITS * (i - 1);
      mask[i] = (1 << b) - 1;
      headBase[i] = h;
      h += 1 << b;
    }
    for (int b = 0; b < 64; b++) {
      int level = 0;
      while (level < levels - 1 && b >= shift[level] + Integer.bitCount(mask[level])) {
        level++;
      }
      levelOfBit[b] = (byte) level;
    }
    this.heads = h;
  }

  int levels() {
    return shift.length;
  }

  /**
   * For a wheel's idle check: the first tick after {@code cur} whose first-level bucket is busy
   * (holds a timer), scanning at most to the end of the first level's current turn, which is
   * returned if none is (the levels above cascade there). Scans at most one turn of buckets.
   */
  long nextBusyTick(long cur, IntPredicate busy) {
    int m = mask[0];
    if (shift.length == 1) {
      return cur + 1;
    }
    long turn = ((cur >>> shift[1]) + 1) << shift[1];
    for (long t = cur + 1; t < turn; t++) {
      if (busy.test((int) (t & m))) {
        return t;
      }
    }
    return turn;
  }
}
