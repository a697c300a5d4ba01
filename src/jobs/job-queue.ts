// JobQueue: the bounded FIFO between the dispatcher and the workers.
//
// It ports the Go original's queue (a doubly-linked list guarded by a mutex and
// two condition variables) to Node: the non-blocking `offer`/`poll` are what the
// pool uses on its hot path, and the awaitable `put`/`take` keep the Go
// semantics (wait while full / while empty) with waiters served in FIFO order.
// Waiters sit in linked lists too, so an aborted wait leaves in O(1).
//
// Invariants: take-waiters exist only while the queue is empty, put-waiters
// only while it is full. A value offered while someone waits in `take` goes
// straight to that taker and never occupies a slot.

import { LinkedList, QueueItem, detachedEntry, type ListEntry } from './linked-list';

/** Which end of the queue is taken from. */
export type QueueOrder = 'fifo' | 'lifo';

/** A handle to a queued value, for `JobQueue.remove`. */
export type QueueEntry<T> = ListEntry<T>;

export { QueueItem };

interface Waiter<R> {
  resolve(result: R): void;
}

interface PutWaiter<T> extends Waiter<QueueEntry<T>> {
  value: T;
}

/** A bounded FIFO queue (newest first while `order` is 'lifo'). `T` should not include `undefined`, which means "empty". */
export class JobQueue<T> {
  readonly maxSize: number;
  /**
   * Which value `poll` and `take` hand out: the oldest ('fifo', always unless
   * changed) or the newest ('lifo'). CoDel's adaptive LIFO switches a job
   * queue to 'lifo' while it is overloaded: the newest job waited least, so
   * its client is still there, and the oldest are shed from the head.
   */
  order: QueueOrder = 'fifo';
  private readonly items = new LinkedList<T>();
  private readonly takers = new LinkedList<Waiter<T>>();
  private readonly putters = new LinkedList<PutWaiter<T>>();

  /**
   * @param maxSize how many values the queue holds at most: a positive integer.
   * @example
   * const queue = new JobQueue<string>(100);
   * const entry = queue.offer('a'); // undefined when full
   * queue.remove(entry!);          // O(1)
   */
  constructor(maxSize: number) {
    if (!Number.isSafeInteger(maxSize) || maxSize < 1) {
      throw new RangeError(`JobQueue: maxSize must be a positive integer, got ${String(maxSize)}`);
    }
    this.maxSize = maxSize;
  }

  get size(): number {
    return this.items.length;
  }

  isEmpty(): boolean {
    return this.items.length === 0;
  }

  isFull(): boolean {
    return this.items.length >= this.maxSize;
  }

  /**
   * Adds a value without waiting. Returns its entry (a handle for `remove`), or
   * `undefined` when the queue is full. A value handed straight to a waiting
   * `take` gets an entry that is already out of the queue.
   */
  offer(value: T): QueueEntry<T> | undefined {
    const taker = this.takers.shift();
    if (taker !== undefined) {
      taker.resolve(value);
      return detachedEntry(value);
    }
    if (this.items.length >= this.maxSize) return undefined;
    return this.items.push(value);
  }

  /**
   * Removes and returns the next value without waiting (the oldest, or the
   * newest while `order` is 'lifo'); `undefined` when empty.
   */
  poll(): T | undefined {
    if (this.items.length === 0) return undefined;
    const value = (this.order === 'fifo' ? this.items.shift() : this.items.pop()) as T;
    this.admitPutter();
    return value;
  }

  /** The oldest value, left in place. */
  peek(): T | undefined {
    return this.items.peek();
  }

  /** Removes a queued value by its entry in O(1). `false` if it already left. */
  remove(entry: QueueEntry<T>): boolean {
    if (!this.items.remove(entry)) return false;
    this.admitPutter();
    return true;
  }

  /** Whether the entry's value is still waiting in this queue. */
  holds(entry: QueueEntry<T>): boolean {
    return this.items.holds(entry);
  }

  /** Adds a value, waiting (in FIFO order with other putters) while the queue is full. */
  put(value: T, signal?: AbortSignal): Promise<QueueEntry<T>> {
    // Reject, not throw: callers handle an aborted wait in one place, the promise.
    if (signal?.aborted) return Promise.reject(signal.reason);
    const entry = this.offer(value);
    if (entry !== undefined) return Promise.resolve(entry);
    return this.wait(this.putters, signal, { value });
  }

  /** Removes the oldest value, waiting (in FIFO order with other takers) while empty. */
  take(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.items.length > 0) return Promise.resolve(this.poll() as T);
    return this.wait(this.takers, signal, {});
  }

  /** Values from oldest to newest. */
  [Symbol.iterator](): IterableIterator<T> {
    return this.items[Symbol.iterator]();
  }

  // A slot has opened: the oldest putter's value takes it.
  private admitPutter(): void {
    const putter = this.putters.shift();
    if (putter !== undefined) putter.resolve(this.items.push(putter.value));
  }

  private wait<R, W extends Waiter<R>>(
    waiters: LinkedList<W>,
    signal: AbortSignal | undefined,
    extra: Omit<W, keyof Waiter<R>>,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const onAbort = (): void => {
        waiters.remove(entry);
        reject(signal?.reason);
      };
      const waiter = {
        ...extra,
        resolve(result: R) {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
      } as W;
      const entry = waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
