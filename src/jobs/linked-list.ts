// An unbounded doubly-linked list whose entries double as removal handles.
//
//        head                                tail
//         │                                   │
//         ▼                                   ▼
//       ┌─────┐  next  ┌─────┐  next  ┌─────┐
//  null◄┤  A  ├───────►│  B  ├───────►│  C  ├►null
//       │     │◄───────┤     │◄───────┤     │
//       └─────┘  prev  └─────┘  prev  └─────┘
//
// push() links at the tail, shift() unlinks at the head, and remove(entry)
// unlinks from anywhere in O(1) because the entry knows both neighbours. An
// entry remembers its list, so removing it twice, or from another list, is a
// harmless `false` rather than a corrupted chain.
//
// A value that extends `QueueItem` is its own node: pushing it allocates nothing.
// That matters for a queue tens of thousands deep, where per-item nodes live
// long enough to be promoted and then cost the old-generation collector.

/** A handle to one value held by a list; keep it to remove the value later. */
export interface ListEntry<T> {
  readonly value: T;
}

interface Node<T> extends ListEntry<T> {
  prev: Node<T> | null;
  next: Node<T> | null;
  list: LinkedList<T> | null;
}

class ValueNode<T> implements Node<T> {
  prev: Node<T> | null = null;
  next: Node<T> | null = null;
  constructor(
    readonly value: T,
    public list: LinkedList<T> | null,
  ) {}
}

/**
 * Base class for values that are their own list node: a list (and so a
 * `JobQueue`) holds them without allocating. Its entry is the value itself. A
 * value sits in at most one list this way; pushed while in another, it is
 * wrapped as any other value would be.
 */
export abstract class QueueItem implements Node<unknown> {
  /** @internal */ prev: Node<unknown> | null = null;
  /** @internal */ next: Node<unknown> | null = null;
  /** @internal */ list: LinkedList<unknown> | null = null;

  get value(): this {
    return this;
  }
}

export class LinkedList<T> {
  private head: Node<T> | null = null;
  private tail: Node<T> | null = null;
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Appends at the tail and returns the entry that can remove it later. */
  push(value: T): ListEntry<T> {
    let node: Node<T>;
    if (value instanceof QueueItem && value.list === null) {
      node = value as unknown as Node<T>;
      node.list = this;
    } else {
      node = new ValueNode(value, this);
    }
    if (this.tail === null) {
      this.head = node;
    } else {
      node.prev = this.tail;
      this.tail.next = node;
    }
    this.tail = node;
    this.count++;
    return node;
  }

  /** Removes and returns the oldest value, or `undefined` when empty. */
  shift(): T | undefined {
    const node = this.head;
    if (node === null) return undefined;
    this.unlink(node);
    return node.value;
  }

  peek(): T | undefined {
    return this.head?.value;
  }

  /** Unlinks an entry in O(1); `false` when it is no longer in this list. */
  remove(entry: ListEntry<T>): boolean {
    const node = entry as Node<T>;
    if (node.list !== this) return false;
    this.unlink(node);
    return true;
  }

  /** True while the entry is still linked into this list. */
  holds(entry: ListEntry<T>): boolean {
    return (entry as Node<T>).list === this;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let node = this.head; node !== null; node = node.next) yield node.value;
  }

  private unlink(node: Node<T>): void {
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
  return new ValueNode(value, null);
}
