// JobQueue: bounded FIFO semantics, O(1) removal by entry, awaitable put/take
// with abort, and a seeded model check against a plain array.

import { expect } from 'chai';
import { JobQueue, QueueItem, type QueueEntry } from '../../src/jobs/job-queue';
import { mulberry32 } from '../helpers/prng';
import { rejectionOf } from '../helpers/wait-for';

/** Lets every pending promise callback run; no timer is involved. */
function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Records how a promise settles so a test can check it has not settled yet. */
function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  void promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

function filled(maxSize: number, values: string[]): { queue: JobQueue<string>; entries: QueueEntry<string>[] } {
  const queue = new JobQueue<string>(maxSize);
  const entries = values.map((value) => {
    const entry = queue.offer(value);
    if (entry === undefined) throw new Error(`could not offer ${value}`);
    return entry;
  });
  return { queue, entries };
}

describe('JobQueue', () => {
  describe('constructor', () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity, '3']) {
      it(`rejects maxSize ${typeof bad === 'string' ? JSON.stringify(bad) : String(bad)} with a RangeError`, () => {
        expect(() => new JobQueue<string>(bad as number))
          .to.throw(RangeError, /maxSize/)
          .with.property('message')
          .that.includes(String(bad));
      });
    }

    it('accepts maxSize 1', () => {
      expect(new JobQueue<string>(1).maxSize).to.equal(1);
    });
  });

  describe('non-blocking operations', () => {
    it('.offer() returns an entry holding the value', () => {
      const queue = new JobQueue<string>(2);
      const entry = queue.offer('a');
      expect(entry).to.not.equal(undefined);
      expect(entry?.value).to.equal('a');
      expect(queue.size).to.equal(1);
    });

    it('.offer() returns undefined when full', () => {
      const { queue } = filled(2, ['a', 'b']);
      expect(queue.offer('c')).to.equal(undefined);
      expect(queue.size).to.equal(2);
      expect([...queue]).to.deep.equal(['a', 'b']);
    });

    it('.poll() returns values in FIFO order', () => {
      const { queue } = filled(3, ['a', 'b', 'c']);
      expect(queue.poll()).to.equal('a');
      expect(queue.poll()).to.equal('b');
      expect(queue.poll()).to.equal('c');
    });

    it(".poll() takes the newest first while order is 'lifo', and FIFO again after", () => {
      const { queue } = filled(4, ['a', 'b', 'c']);
      queue.order = 'lifo';
      expect(queue.poll()).to.equal('c');
      queue.offer('d');
      expect(queue.poll()).to.equal('d');
      expect(queue.peek()).to.equal('a'); // peek is always the oldest: the head a LIFO consumer sheds from
      queue.order = 'fifo';
      expect([queue.poll(), queue.poll(), queue.poll()]).to.deep.equal(['a', 'b', undefined]);
    });

    it('.poll() returns undefined when empty', () => {
      const queue = new JobQueue<string>(1);
      expect(queue.poll()).to.equal(undefined);
      queue.offer('a');
      queue.poll();
      expect(queue.poll()).to.equal(undefined);
    });

    it('.peek() returns the oldest value and leaves it in place', () => {
      const { queue } = filled(3, ['a', 'b']);
      expect(queue.peek()).to.equal('a');
      expect(queue.peek()).to.equal('a');
      expect(queue.size).to.equal(2);
      queue.poll();
      expect(queue.peek()).to.equal('b');
    });

    it('.peek() returns undefined when empty', () => {
      expect(new JobQueue<string>(1).peek()).to.equal(undefined);
    });

    it('.size, .isEmpty(), .isFull() and .maxSize track the contents', () => {
      const queue = new JobQueue<string>(2);
      expect(queue.maxSize).to.equal(2);
      expect([queue.size, queue.isEmpty(), queue.isFull()]).to.deep.equal([0, true, false]);
      queue.offer('a');
      expect([queue.size, queue.isEmpty(), queue.isFull()]).to.deep.equal([1, false, false]);
      queue.offer('b');
      expect([queue.size, queue.isEmpty(), queue.isFull()]).to.deep.equal([2, false, true]);
      queue.poll();
      expect([queue.size, queue.isEmpty(), queue.isFull()]).to.deep.equal([1, false, false]);
      queue.poll();
      expect([queue.size, queue.isEmpty(), queue.isFull()]).to.deep.equal([0, true, false]);
    });

    it('iterates from oldest to newest', () => {
      const { queue } = filled(5, ['a', 'b', 'c']);
      expect([...queue]).to.deep.equal(['a', 'b', 'c']);
      queue.poll();
      queue.offer('d');
      expect([...queue]).to.deep.equal(['b', 'c', 'd']);
    });
  });

  describe('.remove()', () => {
    it('removes an entry in the middle', () => {
      const { queue, entries } = filled(3, ['a', 'b', 'c']);
      expect(queue.remove(entries[1])).to.equal(true);
      expect([...queue]).to.deep.equal(['a', 'c']);
      expect(queue.size).to.equal(2);
      expect(queue.poll()).to.equal('a');
      expect(queue.poll()).to.equal('c');
    });

    it('removes the head entry', () => {
      const { queue, entries } = filled(3, ['a', 'b', 'c']);
      expect(queue.remove(entries[0])).to.equal(true);
      expect([...queue]).to.deep.equal(['b', 'c']);
      expect(queue.peek()).to.equal('b');
    });

    it('removes the tail entry', () => {
      const { queue, entries } = filled(3, ['a', 'b', 'c']);
      expect(queue.remove(entries[2])).to.equal(true);
      expect([...queue]).to.deep.equal(['a', 'b']);
      queue.offer('d');
      expect([...queue]).to.deep.equal(['a', 'b', 'd']);
    });

    it('removes the only entry, leaving the queue empty and usable', () => {
      const { queue, entries } = filled(1, ['a']);
      expect(queue.remove(entries[0])).to.equal(true);
      expect(queue.isEmpty()).to.equal(true);
      expect(queue.peek()).to.equal(undefined);
      queue.offer('b');
      expect([...queue]).to.deep.equal(['b']);
    });

    it('returns false when the entry is removed twice', () => {
      const { queue, entries } = filled(3, ['a', 'b', 'c']);
      expect(queue.remove(entries[1])).to.equal(true);
      expect(queue.remove(entries[1])).to.equal(false);
      expect([...queue]).to.deep.equal(['a', 'c']);
    });

    it('returns false after the value was polled', () => {
      const { queue, entries } = filled(3, ['a', 'b']);
      expect(queue.poll()).to.equal('a');
      expect(queue.remove(entries[0])).to.equal(false);
      expect([...queue]).to.deep.equal(['b']);
    });

    it('returns false for an entry of another queue', () => {
      const { entries } = filled(3, ['a']);
      const { queue: other } = filled(3, ['x']);
      expect(other.remove(entries[0])).to.equal(false);
      expect([...other]).to.deep.equal(['x']);
    });
  });

  describe('.holds()', () => {
    it('is true while the entry is queued and false once it left', () => {
      const { queue, entries } = filled(3, ['a', 'b', 'c']);
      expect(entries.map((entry) => queue.holds(entry))).to.deep.equal([true, true, true]);
      queue.poll();
      queue.remove(entries[2]);
      expect(entries.map((entry) => queue.holds(entry))).to.deep.equal([false, true, false]);
    });

    it('is false for an entry of another queue', () => {
      const { entries } = filled(3, ['a']);
      expect(new JobQueue<string>(3).holds(entries[0])).to.equal(false);
    });
  });

  describe('.put()', () => {
    it('resolves at once with a held entry when there is room', async () => {
      const queue = new JobQueue<string>(2);
      const entry = await queue.put('a');
      expect(entry.value).to.equal('a');
      expect(queue.holds(entry)).to.equal(true);
      expect([...queue]).to.deep.equal(['a']);
    });

    it('waits while full and is admitted when .poll() frees a slot', async () => {
      const { queue } = filled(1, ['a']);
      const put = track(queue.put('b'));
      await tick();
      expect(put.settled).to.equal(false);
      expect([...queue]).to.deep.equal(['a']);

      expect(queue.poll()).to.equal('a');
      // The freed slot is taken synchronously, before anyone else can offer.
      expect([...queue]).to.deep.equal(['b']);
      expect(queue.offer('c')).to.equal(undefined);
      await tick();
      expect(put.settled).to.equal(true);
      expect(put.value?.value).to.equal('b');
      expect(queue.holds(put.value as QueueEntry<string>)).to.equal(true);
    });

    it('is admitted when .remove() frees a slot, with an entry .remove() accepts', async () => {
      const { queue, entries } = filled(2, ['a', 'b']);
      const put = track(queue.put('c'));
      expect(queue.remove(entries[0])).to.equal(true);
      await tick();
      expect([...queue]).to.deep.equal(['b', 'c']);
      const entry = put.value as QueueEntry<string>;
      expect(entry.value).to.equal('c');
      expect(queue.remove(entry)).to.equal(true);
      expect([...queue]).to.deep.equal(['b']);
    });

    it('admits waiting putters in FIFO order', async () => {
      const { queue } = filled(1, ['a']);
      const order: string[] = [];
      const puts = ['b', 'c', 'd'].map((value) => queue.put(value).then((entry) => order.push(entry.value)));
      for (const expected of ['a', 'b', 'c']) expect(queue.poll()).to.equal(expected);
      await Promise.all(puts);
      expect(order).to.deep.equal(['b', 'c', 'd']);
      expect([...queue]).to.deep.equal(['d']);
    });
  });

  describe('.take()', () => {
    it('resolves at once with the oldest value when not empty', async () => {
      const { queue } = filled(2, ['a', 'b']);
      expect(await queue.take()).to.equal('a');
      expect([...queue]).to.deep.equal(['b']);
    });

    it('waits while empty and is served FIFO among takers', async () => {
      const queue = new JobQueue<string>(2);
      const first = track(queue.take());
      const second = track(queue.take());
      await tick();
      expect([first.settled, second.settled]).to.deep.equal([false, false]);

      queue.offer('a');
      await tick();
      expect(first.value).to.equal('a');
      expect(second.settled).to.equal(false);

      queue.offer('b');
      await tick();
      expect(second.value).to.equal('b');
    });

    it('hands a value offered while a taker waits straight to the taker', async () => {
      const queue = new JobQueue<string>(1);
      const take = track(queue.take());
      const entry = queue.offer('a');
      expect(entry?.value).to.equal('a');
      expect(queue.isEmpty()).to.equal(true);
      expect(queue.size).to.equal(0);
      expect(queue.holds(entry as QueueEntry<string>)).to.equal(false);
      expect(queue.remove(entry as QueueEntry<string>)).to.equal(false);
      // The slot stayed free: a second offer is queued normally.
      expect(queue.offer('b')).to.not.equal(undefined);
      await tick();
      expect(take.value).to.equal('a');
      expect([...queue]).to.deep.equal(['b']);
    });

    it('receives the value of a .put() made while it waits', async () => {
      const queue = new JobQueue<string>(1);
      const take = queue.take();
      const entry = await queue.put('a');
      expect(await take).to.equal('a');
      expect(queue.holds(entry)).to.equal(false);
      expect(queue.isEmpty()).to.equal(true);
    });

    it('admits a waiting putter when it takes from a full queue', async () => {
      const { queue } = filled(1, ['a']);
      const put = queue.put('b');
      expect(await queue.take()).to.equal('a');
      expect((await put).value).to.equal('b');
      expect([...queue]).to.deep.equal(['b']);
    });
  });

  describe('abort', () => {
    it('an aborted .put() rejects with the reason, and the next putter gets the slot', async () => {
      const { queue } = filled(1, ['a']);
      const controller = new AbortController();
      const aborted = queue.put('b', controller.signal);
      const next = queue.put('c');
      const reason = new Error('gave up');
      controller.abort(reason);
      expect(await rejectionOf(aborted)).to.equal(reason);

      expect(queue.poll()).to.equal('a');
      expect((await next).value).to.equal('c');
      expect([...queue]).to.deep.equal(['c']);
    });

    it('an aborted .put() leaves no waiter behind', async () => {
      const { queue } = filled(1, ['a']);
      const controller = new AbortController();
      const aborted = queue.put('b', controller.signal);
      controller.abort();
      const error = await rejectionOf(aborted);
      expect(error).to.equal(controller.signal.reason);
      expect(error).to.be.instanceOf(DOMException).with.property('name', 'AbortError');
      queue.poll();
      expect(queue.isEmpty()).to.equal(true);
    });

    it('an aborted .take() rejects with the reason, and the next taker gets the value', async () => {
      const queue = new JobQueue<string>(1);
      const controller = new AbortController();
      const aborted = queue.take(controller.signal);
      const next = queue.take();
      const reason = new Error('gave up');
      controller.abort(reason);
      expect(await rejectionOf(aborted)).to.equal(reason);

      queue.offer('a');
      expect(await next).to.equal('a');
      expect(queue.isEmpty()).to.equal(true);
    });

    it('an aborted .take() leaves no waiter behind', async () => {
      const queue = new JobQueue<string>(1);
      const controller = new AbortController();
      const aborted = queue.take(controller.signal);
      controller.abort();
      await rejectionOf(aborted);
      queue.offer('a');
      expect([...queue]).to.deep.equal(['a']);
    });

    it('aborting after .put() was admitted changes nothing', async () => {
      const { queue } = filled(1, ['a']);
      const controller = new AbortController();
      const put = queue.put('b', controller.signal);
      queue.poll();
      controller.abort();
      const entry = await put;
      expect(queue.holds(entry)).to.equal(true);
      expect([...queue]).to.deep.equal(['b']);
    });

    it('aborting after .take() was served changes nothing', async () => {
      const queue = new JobQueue<string>(1);
      const controller = new AbortController();
      const take = queue.take(controller.signal);
      queue.offer('a');
      controller.abort();
      expect(await take).to.equal('a');
    });

    it('.put() with an already-aborted signal rejects and does not queue', async () => {
      const queue = new JobQueue<string>(1);
      const reason = new Error('too late');
      const signal = AbortSignal.abort(reason);
      let result: Promise<unknown> | undefined;
      expect(() => (result = queue.put('a', signal))).to.not.throw();
      expect(await rejectionOf(result as Promise<unknown>)).to.equal(reason);
      expect(queue.isEmpty()).to.equal(true);
    });

    it('.take() with an already-aborted signal rejects and does not take', async () => {
      const { queue } = filled(1, ['a']);
      const reason = new Error('too late');
      const signal = AbortSignal.abort(reason);
      let result: Promise<unknown> | undefined;
      expect(() => (result = queue.take(signal))).to.not.throw();
      expect(await rejectionOf(result as Promise<unknown>)).to.equal(reason);
      expect([...queue]).to.deep.equal(['a']);
    });
  });

  describe('QueueItem values', () => {
    class Job extends QueueItem {
      constructor(readonly name: string) {
        super();
      }
    }

    it('.offer() makes a QueueItem its own entry, and poll/remove give it back', () => {
      const queue = new JobQueue<Job>(3);
      const [a, b, c] = [new Job('a'), new Job('b'), new Job('c')];
      expect(queue.offer(a)).to.equal(a);
      expect(queue.offer(b)).to.equal(b);
      expect(queue.offer(c)).to.equal(c);
      expect(queue.remove(b)).to.equal(true);
      expect(queue.remove(b)).to.equal(false);
      expect([...queue].map((job) => job.name)).to.deep.equal(['a', 'c']);
      expect(queue.poll()).to.equal(a);
      // Out of the queue, it can join again.
      expect(queue.offer(a)).to.equal(a);
      expect([...queue].map((job) => job.name)).to.deep.equal(['c', 'a']);
    });

    it('.offer() wraps a QueueItem that is already in another queue, and both queues keep it', () => {
      const first = new JobQueue<Job>(2);
      const second = new JobQueue<Job>(2);
      const job = new Job('shared');
      first.offer(job);
      const entry = second.offer(job) as QueueEntry<Job>;
      expect(entry).to.not.equal(job);
      expect(entry.value).to.equal(job);
      expect(first.poll()).to.equal(job);
      expect(second.holds(entry)).to.equal(true);
      expect(second.poll()).to.equal(job);
    });
  });

  describe('model check', () => {
    it('matches a plain-array model over 10,000 seeded random operations', () => {
      const seed = 123456789;
      const steps = 10_000;
      const maxSize = 50;
      const random = mulberry32(seed);
      const randomInt = (n: number): number => Math.floor(random() * n);

      const queue = new JobQueue<number>(maxSize);
      const model: number[] = [];
      // Every entry handed out, live or stale, so remove() is tried on both.
      const issued: { value: number; entry: QueueEntry<number> }[] = [];
      let nextValue = 1;
      const seen = { full: 0, empty: 0, staleRemoves: 0, liveRemoves: 0 };

      for (let step = 0; step < steps; step++) {
        const where = `seed ${seed} step ${step}`;
        // Alternate phases that lean towards filling and towards draining, so
        // the queue spends time both full and empty.
        const offerBias = Math.floor(step / 250) % 2 === 0 ? 0.55 : 0.15;
        const roll = random();
        let op: string;
        if (roll < offerBias) {
          op = 'offer';
          const value = nextValue++;
          const entry = queue.offer(value);
          if (model.length < maxSize) {
            model.push(value);
            expect(entry, `${where}: offer(${value}) returned undefined below maxSize`).to.not.equal(undefined);
            expect(entry?.value, `${where}: offer(${value}) entry value`).to.equal(value);
            issued.push({ value, entry: entry as QueueEntry<number> });
            if (issued.length > 4 * maxSize) issued.splice(0, issued.length - 4 * maxSize);
          } else {
            expect(entry, `${where}: offer(${value}) on a full queue`).to.equal(undefined);
          }
        } else if (roll < offerBias + 0.2) {
          op = 'poll';
          expect(queue.poll(), `${where}: poll()`).to.equal(model.shift());
        } else if (roll < offerBias + 0.3) {
          op = 'peek';
          expect(queue.peek(), `${where}: peek()`).to.equal(model[0]);
        } else {
          op = 'remove';
          if (issued.length > 0) {
            const { value, entry } = issued[randomInt(issued.length)];
            const index = model.indexOf(value);
            expect(queue.holds(entry), `${where}: holds(${value})`).to.equal(index !== -1);
            if (index !== -1) model.splice(index, 1);
            seen[index === -1 ? 'staleRemoves' : 'liveRemoves']++;
            expect(queue.remove(entry), `${where}: remove(${value})`).to.equal(index !== -1);
          }
        }

        const after = `${where} (after ${op})`;
        expect(queue.size, `${after}: size`).to.equal(model.length);
        expect(queue.isFull(), `${after}: isFull()`).to.equal(model.length === maxSize);
        expect(queue.isEmpty(), `${after}: isEmpty()`).to.equal(model.length === 0);
        expect(queue.peek(), `${after}: peek()`).to.equal(model[0]);
        expect([...queue], `${after}: iteration order`).to.deep.equal(model);
        if (model.length === maxSize) seen.full++;
        if (model.length === 0) seen.empty++;
      }
      // The run must have visited the edges it is meant to check.
      for (const [what, count] of Object.entries(seen)) {
        expect(count, `seed ${seed}: never saw ${what}`).to.be.greaterThan(0);
      }
    });
  });
});
