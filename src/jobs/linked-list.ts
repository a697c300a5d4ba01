// LinkedList: the one doubly-linked list, used by the job queue (and its
// waiters) and by the deadlines that hold every live job.
//
//        head                                tail
//         │                                   │
//         ▼                                   ▼
//       ┌─────┐  next  ┌─────┐  next  ┌─────┐
//  null◄┤  A  ├───────►│  B  ├───────►│  C  ├►null
//       │     │◄───────┤     │◄───────┤     │
//       └─────┘  prev  └─────┘  prev  └─────┘
//
// push() links at the tail, shift() unlinks at the head (pop() at the tail), and remove(node)
// unlinks from anywhere in O(1) because the node knows both neighbours. A node
// remembers its list, so removing it twice, or from another list, is a
// harmless `false` rather than a corrupted chain. link() and unlink() below
// are the only code that touches the pointers.
//
// A list never allocates for a value that brings its own node: a `QueueItem`
// is its own node, and an owner may keep a `ListNode` per membership (a job
// keeps one for the deadlines). That matters for a queue tens of thousands
// deep, where per-item nodes live long enough to be promoted and then cost the
// old-generation collector.

/** A handle to one value held by a list; keep it to remove the value later. */
export interface ListEntry<T> {
  readonly value: T;
}

interface Links<T> extends ListEntry<T> {
  prev: Links<T> | null;
  next: Links<T> | null;
  list: LinkedList<T> | null;
}

/** A node made for one value, kept by its owner to move it between lists without allocating. */
export class ListNode<T> {
  /** @internal */ prev: Links<T> | null = null;
  /** @internal */ next: Links<T> | null = null;
  /** @internal */ list: LinkedList<T> | null = null;
  constructor(readonly value: T) {}
}

/**
 * Base class for values that are their own list node: a list (and so a
 * `JobQueue`) holds them without allocating. Its entry is the value itself. A
 * value sits in at most one list this way; pushed while in another, it is
 * wrapped as any other value would be.
 */
export abstract class QueueItem {
  /** @internal */ prev: Links<unknown> | null = null;
  /** @internal */ next: Links<unknown> | null = null;
  /** @internal */ list: LinkedList<unknown> | null = null;

  get value(): this {
    return this;
  }
}

export class LinkedList<T> {
  private head: Links<T> | null = null;
  private tail: Links<T> | null = null;
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Appends at the tail and returns the entry that can remove it later. */
  push(value: T): ListEntry<T> {
    const own = value instanceof QueueItem && value.list === null;
    const node = own ? (value as unknown as Links<T>) : new ListNode(value);
    this.link(node);
    return node;
  }

  /**
   * Appends a node its owner keeps, moving it out of any list it is in: the
   * way one node goes from list to list at no allocation.
   */
  append(node: ListNode<T>): void {
    node.list?.unlink(node);
    this.link(node);
  }

  /** Removes and returns the oldest value, or `undefined` when empty. */
  shift(): T | undefined {
    const node = this.head;
    if (node === null) return undefined;
    this.unlink(node);
    return node.value;
  }

  /** Removes and returns the newest value, or `undefined` when empty. */
  pop(): T | undefined {
    const node = this.tail;
    if (node === null) return undefined;
    this.unlink(node);
    return node.value;
  }

  /** The oldest value, left in place. */
  peek(): T | undefined {
    return this.head?.value;
  }

  /** The oldest entry, left in place. */
  first(): ListEntry<T> | undefined {
    return this.head ?? undefined;
  }

  /** Unlinks an entry in O(1); `false` when it is no longer in this list. */
  remove(entry: ListEntry<T>): boolean {
    const node = entry as Links<T>;
    if (node.list !== this) return false;
    this.unlink(node);
    return true;
  }

  /** True while the entry is still linked into this list. */
  holds(entry: ListEntry<T>): boolean {
    return (entry as Links<T>).list === this;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let node = this.head; node !== null; node = node.next) yield node.value;
  }

  private link(node: Links<T>): void {
    node.list = this;
    node.prev = this.tail;
    node.next = null;
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.count++;
  }

  private unlink(node: Links<T>): void {
    if (node.prev === null) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = null;
    node.list = null;
    this.count--;
  }
}

/** An entry that belongs to no list: for a value handed over without queueing. */
export function detachedEntry<T>(value: T): ListEntry<T> {
  return new ListNode(value);
}
