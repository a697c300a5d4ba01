// Deadlines: one coarse timer for every queued and running job, not one each.
//
// Jobs are kept in lists by timeout length. Within one list every job got the
// same timeout and joined later than the one before it, so the list is already
// in deadline order: a sweep only looks at heads, and stops at the first head
// whose time has not come. Watching and unwatching are O(1), and at rest
// (nothing watched) the timer is stopped.

import { LinkedList, unlinkEntry, type ListEntry } from './linked-list';

/** Something that can have a deadline: the watcher keeps its place here. */
export interface Expirable {
  deadline: number;
  deadlineEntry: ListEntry<this> | undefined;
}

export class Deadlines<T extends Expirable> {
  private readonly lists = new Map<number, LinkedList<T>>();
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
      list = new LinkedList<T>();
      this.lists.set(timeoutMs, list);
    }
    item.deadline = now + timeoutMs;
    item.deadlineEntry = list.push(item);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.tickMs);
      // A pending deadline is no reason to keep the process alive.
      this.timer.unref();
    }
  }

  unwatch(item: T): void {
    if (item.deadlineEntry === undefined) return;
    unlinkEntry(item.deadlineEntry);
    item.deadlineEntry = undefined;
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
      for (let item = list.peek(); item !== undefined && item.deadline <= now; item = list.peek()) {
        this.expire(item);
        // Whatever `expire` did, the item must not be swept twice.
        if (item.deadlineEntry !== undefined) this.unwatch(item);
      }
      watched += list.length;
    }
    if (watched === 0) this.stop();
  }
}
