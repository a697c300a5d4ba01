// SampleRing: the last `capacity` samples, oldest overwritten first, each
// numbered so a viewer that reconnects gets only what it missed.
//
//   slots:  [ s7 | s8 | s3 | s4 | s5 | s6 ]   capacity 6, next id 9
//                      ^ oldest (id 3)

export class SampleRing<T> {
  private readonly slots: (T | undefined)[];
  /** The id the next sample gets; ids start at 1. */
  private nextId = 1;

  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }

  /** Stores `item`; returns its id. */
  push(item: T): number {
    const id = this.nextId++;
    this.slots[id % this.capacity] = item;
    return id;
  }

  /** The id of the newest sample (0 if none). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** The samples after `id`, oldest first, with their ids (all that are kept, for 0). */
  since(id: number): { id: number; item: T }[] {
    const first = Math.max(id + 1, this.nextId - this.capacity, 1);
    const out: { id: number; item: T }[] = [];
    for (let at = first; at < this.nextId; at++) out.push({ id: at, item: this.slots[at % this.capacity] as T });
    return out;
  }
}
