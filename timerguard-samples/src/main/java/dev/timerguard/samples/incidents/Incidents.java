package dev.timerguard.samples.incidents;

import java.util.List;

/**
 * The catalogue of reproduced incidents, in demo order: six real timer-leak incidents of production
 * services, three of the same leaks at scale, and two thread leaks. Reusable by any face (the demo,
 * {@code doctor}, tests). Immutable and thread-safe.
 */
public final class Incidents {

  private static final List<Incident> ALL =
      List.of(
          new RpcReadLoop(),
          new ForgottenReset(),
          new DiscardedCancel(),
          new HotPathTicker(),
          new ReconnectLoop(),
          new SlowUpstreamCheck(),
          new FireAndForget(),
          new ResettingTicker(),
          new TimeoutsInCollection(),
          new BlockedThread(),
          new ExecutorPerCall());

  private Incidents() {}

  /** Every incident, ordered by id (1..{@code all().size()}). */
  public static List<Incident> all() {
    return ALL;
  }

  /**
   * The incident with the given id.
   *
   * @throws IllegalArgumentException naming the valid range if there is no such incident
   */
  public static Incident byId(int id) {
    if (id < 1 || id > ALL.size()) {
      throw new IllegalArgumentException(
          "no incident " + id + "; incidents are numbered 1 to " + ALL.size());
    }
    return ALL.get(id - 1);
  }
}
