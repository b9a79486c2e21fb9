/**
 * The timing-wheel engine: {@link dev.timerguard.wheel.WheelScheduler}, a {@link
 * java.util.concurrent.ScheduledExecutorService} for very many short-lived timers.
 *
 * <p>The data structure is the hierarchical timing wheel of Varghese and Lauck ("Hashed and
 * Hierarchical Timing Wheels: Data Structures for the Efficient Implementation of a Timer
 * Facility", SOSP 1987). Time is cut in ticks of a power-of-two number of nanoseconds. Each shard
 * holds a first level of 2048 one-tick buckets (by default) and higher levels of 256 buckets, each
 * bucket of a level spanning a whole turn of the level below, so a bucket index is a shift and a
 * mask of the deadline. A timer is put in the lowest level whose turn covers its delay, in the
 * bucket the level's cursor reaches no later than the deadline; as the cursors advance, buckets are
 * emptied and their timers either fire or move down to a finer level. Insert and cancel are O(1)
 * and expiry is O(timers due + buckets passed), and a delay of years costs a handful of cascades
 * rather than a lap per wheel turn. Buckets are circular doubly-linked lists headed by sentinels
 * whose nodes are the timers themselves: the {@link java.util.concurrent.ScheduledFuture} a caller
 * gets back IS the bucket node, so a pending timer costs one 40-byte object and cancel unlinks it
 * directly. The wheel is sharded, each shard with its own lock, and a thread keeps scheduling into
 * one shard (moving away when it meets another thread there), so threads that schedule and cancel
 * do not contend with one another; one tick thread expires all shards and hands due callbacks to an
 * executor (or runs {@link dev.timerguard.wheel.InlineTask}s itself). A one-shot timer is scheduled
 * without a clock read: its deadline is fixed from the clock of the next pass (or of the shard's
 * 64th waiting timer), never earlier than the call plus the delay; an idle wheel sleeps until its
 * next due bucket.
 *
 * <p>{@link dev.timerguard.wheel.Deadlines} is the allocation-free side of the same wheel: a set of
 * deadlines, each a {@code long} handle into preallocated arrays carrying a {@code long} payload,
 * expired by the scheduler's tick thread, for timeouts per request where a future per timer is a
 * cost the garbage collector pays.
 *
 * <p>Only {@code WheelScheduler}, its {@code Builder}, {@code Deadlines} and {@code InlineTask} are
 * public. Inside, each class has one job: {@code WheelScheduler} is the facade (the {@link
 * java.util.concurrent.ScheduledExecutorService} methods, the builder, and the scheduling path into
 * a shard); {@code Shard} is one lock-guarded wheel; {@code TimerEntry} is a timer, its bucket node
 * and its future; {@code TickLoop} is the tick thread and its expiry pass; {@code Dispatcher} runs
 * or hands off what fell due, over the owned {@code CallbackPool} or the builder's executor, with
 * {@code SlowCallbacks} naming callbacks that hold their thread; {@code Lifecycle} is the run
 * state, shutdown and termination, and hands back what never ran.
 */
package dev.timerguard.wheel;
