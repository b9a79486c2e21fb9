package dev.timerguard.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The live timers of one {@code Timers} instance: lock-striped, sentinel-headed, intrusive
 * doubly-linked lists, so adding and removing a timer is O(1), allocates nothing, and threads on
 * different stripes never contend. Lets {@code close} find every live timer whatever the engine.
 * Not public API. Thread-safe.
 */
public final class LiveSet {

  /** A member: the timer handle itself carries the links. */
  public abstract static class Node {
    Node prev;
    Node next;
    int stripe = -1;
  }

  private static final class Head extends Node {}

  private final Head[] stripes;
  private final int mask;

  /** Creates a set with a power-of-two number of stripes at least {@code minStripes}. */
  public LiveSet(int minStripes) {
    int n = Integer.highestOneBit(Math.max(1, minStripes - 1)) << 1;
    stripes = new Head[n];
    for (int i = 0; i < n; i++) {
      Head h = new Head();
      h.prev = h;
      h.next = h;
      stripes[i] = h;
    }
    mask = n - 1;
  }

  /** Adds a node that is in no set. */
  public void add(Node node) {
    int s = (int) (Thread.currentThread().getId() & mask);
    Head h = stripes[s];
    synchronized (h) {
      node.stripe = s;
      node.prev = h.prev;
      node.next = h;
      h.prev.next = node;
      h.prev = node;
    }
  }

  /** Removes a node; a no-op if it is not in the set. */
  public void remove(Node node) {
    int s = node.stripe;
    if (s < 0) {
      return;
    }
    Head h = stripes[s];
    synchronized (h) {
      if (node.stripe != s || node.next == null) {
        return;
      }
      node.prev.next = node.next;
      node.next.prev = node.prev;
      node.prev = null;
      node.next = null;
      node.stripe = -1;
    }
  }

  /** Removes and returns every member. */
  public List<Node> drain() {
    List<Node> out = new ArrayList<>();
    for (Head h : stripes) {
      synchronized (h) {
        for (Node n = h.next; n != h; ) {
          Node next = n.next;
          n.prev = null;
          n.next = null;
          n.stripe = -1;
          out.add(n);
          n = next;
        }
        h.prev = h;
        h.next = h;
      }
    }
    return out;
  }

  /** A copy of the members, for diagnostics. */
  public List<Node> members() {
    List<Node> out = new ArrayList<>();
    for (Head h : stripes) {
      synchronized (h) {
        for (Node n = h.next; n != h; n = n.next) {
          out.add(n);
        }
      }
    }
    return out;
  }
}
