package dev.timerguard.wheel;

/**
 * A link in a bucket's circular doubly-linked list. Bucket heads are bare {@code Node} sentinels
 * (24 bytes each); timers are {@link TimerEntry} nodes. Links are read and written only under the
 * owning {@link Shard}'s lock. A node is in a bucket exactly when {@code prev != null}.
 */
class Node {
  Node prev;
  Node next;

  /** Makes this node an empty sentinel. */
  final Node selfLinked() {
    prev = this;
    next = this;
    return this;
  }
}
