// Deadlines: one coarse timer for every queued and running job, not one each.
//
// Jobs are kept in lists by timeout length. Within one list every job got the
// same timeout and joined later than the one before it, so the list is already
// in deadline order: a sweep only looks at heads, and stops at the first head
// whose time has not come. The lists link the items themselves (the links live
// on the item), so watching allocates nothing: this runs for every request.
// Watching and unwatching are O(1), and at rest the timer is stopped.

/** Something that can have a deadline. The `deadline*` fields belong to Deadlines. */
export interface Expirable {
  deadline: number;
  deadlinePrev: Expirable | null;
  deadlineNext: Expirable | null;
  /** The list the item is in while watched; null otherwise. */
  deadlineList: DeadlineList | null;
}

/** A list of items with one timeout length, oldest (soonest due) first. */
interface DeadlineList {
  head: Expirable | null;
  tail: Expirable | null;
  size: number;
}

export class Deadlines<T extends Expirable> {
  private readonly lists = new Map<number, DeadlineList>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param expire called once for each item whose deadline passed; it must
   *   `unwatch` the item (directly or through whatever it calls).
   * @param tickMs how often the sweep runs while anything is watched: the most
   *   a deadline is honoured late by, event-loop lag aside.
   */
  constructor(
    private readonly expire: (item: T) => void,
    private readonly tickMs = 20,
  ) {}

  /** Whether the sweep timer is running (it runs only while something is watched). */
  get ticking(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Expires `item` `timeoutMs` after `now` (0: never). Replaces any deadline it
   * had. Callers usually have the time already; reading it again costs ~50 ns.
   */
  watch(item: T, timeoutMs: number, now = performance.now()): void {
    this.unwatch(item);
    if (timeoutMs === 0) return;
    let list = this.lists.get(timeoutMs);
    if (list === undefined) {
      list = { head: null, tail: null, size: 0 };
      this.lists.set(timeoutMs, list);
    }
    item.deadline = now + timeoutMs;
    item.deadlineList = list;
    item.deadlinePrev = list.tail;
    item.deadlineNext = null;
    if (list.tail === null) list.head = item;
    else list.tail.deadlineNext = item;
    list.tail = item;
    list.size++;
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.tickMs);
      // A pending deadline is no reason to keep the process alive.
      this.timer.unref();
    }
  }

  unwatch(item: T): void {
    const list = item.deadlineList;
    if (list === null) return;
    if (item.deadlinePrev === null) list.head = item.deadlineNext;
    else item.deadlinePrev.deadlineNext = item.deadlineNext;
    if (item.deadlineNext === null) list.tail = item.deadlinePrev;
    else item.deadlineNext.deadlinePrev = item.deadlinePrev;
    item.deadlinePrev = item.deadlineNext = item.deadlineList = null;
    list.size--;
  }

  /** Stops the timer; deadlines watched later start it again. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Expires every item whose deadline is at or before `now`. */
  sweep(now = performance.now()): void {
    let watched = 0;
    for (const list of this.lists.values()) {
      for (let item = list.head as T | null; item !== null && item.deadline <= now; item = list.head as T | null) {
        this.expire(item);
        // Whatever `expire` did, the item must not be swept twice.
        this.unwatch(item);
      }
      watched += list.size;
    }
    if (watched === 0) this.stop();
  }
}
