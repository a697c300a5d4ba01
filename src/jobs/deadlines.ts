// Deadlines: every live job, in lists by timeout length, and one coarse timer
// that expires the jobs whose time has come (not one timer each).
//
// Within one list every job got the same timeout and joined later than the
// one before it, so the list is already in deadline order: a sweep only looks
// at heads, and stops at the first head whose time has not come. A job with
// no timeout (0) sits in a list the sweep skips, so the lists together hold
// every job watched, which is what a drain on close waits for. Each job keeps
// one `Deadline` node and moves it from list to list (queued, then running),
// so watching allocates nothing: this runs for every request. Watching and
// unwatching are O(1), and at rest the timer is stopped.

import { LinkedList, ListNode } from './linked-list';

/** A job's place in the deadlines; the job keeps one and hands it to every `watch`. */
export class Deadline<T> extends ListNode<T> {
  /** When it expires (a performance.now() time); meaningless while not watched. */
  due = 0;
}

export class Deadlines<T> {
  private readonly lists = new Map<number, LinkedList<T>>();
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  /**
   * @param expire called once for each item whose deadline passed, after it
   *   has left the deadlines.
   * @param tickMs how often the sweep runs while anything is due: the most a
   *   deadline is honoured late by, event-loop lag aside.
   */
  constructor(
    private readonly expire: (item: T) => void,
    private readonly tickMs = 20,
  ) {}

  /** How many items are watched, with a deadline or without. */
  get size(): number {
    return this.count;
  }

  /** Whether the sweep timer is running (it runs only while something is due). */
  get ticking(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Expires the node's item `timeoutMs` after `now` (0: never, but it is still
   * watched). Replaces any deadline it had. Callers usually have the time
   * already; reading it again costs ~50 ns.
   */
  watch(node: Deadline<T>, timeoutMs: number, now = performance.now()): void {
    if (!this.isWatched(node)) this.count++;
    let list = this.lists.get(timeoutMs);
    if (list === undefined) {
      list = new LinkedList<T>();
      this.lists.set(timeoutMs, list);
    }
    node.due = now + timeoutMs;
    list.append(node);
    if (timeoutMs !== 0 && this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.tickMs);
      // A pending deadline is no reason to keep the process alive.
      this.timer.unref();
    }
  }

  /** Forgets the node's item; harmless when it is not watched. */
  unwatch(node: Deadline<T>): void {
    if (!this.isWatched(node)) return;
    (node.list as LinkedList<T>).remove(node);
    this.count--;
  }

  /** Every watched item, as a snapshot: the caller may end (and so unwatch) them while it goes through. */
  toArray(): T[] {
    const items: T[] = [];
    for (const list of this.lists.values()) items.push(...list);
    return items;
  }

  /** Stops the timer; deadlines watched later start it again. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Expires every item whose deadline is at or before `now`. */
  sweep(now = performance.now()): void {
    let due = 0;
    for (const [timeoutMs, list] of this.lists) {
      if (timeoutMs === 0) continue;
      // Out first, then expired: whatever `expire` does, the item is not swept twice.
      for (let node = first(list); node !== undefined && node.due <= now; node = first(list)) {
        list.remove(node);
        this.count--;
        this.expire(node.value);
      }
      due += list.length;
    }
    if (due === 0) this.stop();
  }

  // A Deadline node is only ever linked into one of these lists.
  private isWatched(node: Deadline<T>): boolean {
    return node.list !== null;
  }
}

function first<T>(list: LinkedList<T>): Deadline<T> | undefined {
  return list.first() as Deadline<T> | undefined;
}
