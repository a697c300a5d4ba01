// Deadlines: every live job in lists by timeout, one coarse timer, O(1) watch/unwatch.

import { expect } from 'chai';
import { Deadline, Deadlines } from '../../src/jobs/deadlines';

function item(name: string): Deadline<string> {
  return new Deadline(name);
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

describe('Deadlines', () => {
  let expired: string[];
  let deadlines: Deadlines<string>;

  beforeEach(() => {
    expired = [];
    deadlines = new Deadlines<string>((name) => expired.push(name));
  });
  afterEach(() => deadlines.stop());

  it('.watch() sets the deadline timeoutMs from now', () => {
    const a = item('a');
    const before = performance.now();
    deadlines.watch(a, 100);
    expect(a.due).to.be.within(before + 100, performance.now() + 100);
  });

  it('.sweep() expires an item on the first sweep at or after its deadline, once', () => {
    const a = item('a');
    deadlines.watch(a, 100);
    deadlines.sweep(a.due - 1);
    expect(expired).to.deep.equal([]);
    deadlines.sweep(a.due);
    deadlines.sweep(a.due + 1000);
    expect(expired).to.deep.equal(['a']);
    expect(deadlines.size).to.equal(0);
  });

  it('.sweep() takes the item out before expiring it, so expire may unwatch or rewatch it', () => {
    const a = item('a');
    const b = item('b');
    deadlines = new Deadlines<string>((name) => {
      expired.push(name);
      deadlines.unwatch(a);
      deadlines.unwatch(b);
    });
    deadlines.watch(a, 10, 0);
    deadlines.watch(b, 10, 0);
    deadlines.sweep(100);
    // b was unwatched by a's expiry, so it never expires.
    expect(expired).to.deep.equal(['a']);
    expect(deadlines.size).to.equal(0);
  });

  it('.sweep() expires items of different timeouts in each list, leaving the rest', () => {
    const short1 = item('short1');
    const long = item('long');
    const short2 = item('short2');
    deadlines.watch(short1, 50);
    deadlines.watch(long, 500);
    deadlines.watch(short2, 50);
    deadlines.sweep(short2.due);
    expect(expired).to.deep.equal(['short1', 'short2']);
    expect(deadlines.size).to.equal(1);
    deadlines.sweep(long.due);
    expect(expired).to.deep.equal(['short1', 'short2', 'long']);
  });

  it('.unwatch() keeps an item from expiring, and is harmless twice', () => {
    const a = item('a');
    const b = item('b');
    deadlines.watch(a, 10);
    deadlines.watch(b, 10);
    deadlines.unwatch(a);
    deadlines.unwatch(a);
    expect(deadlines.size).to.equal(1);
    deadlines.sweep(b.due + 1);
    expect(expired).to.deep.equal(['b']);
  });

  it('.watch() again replaces the old deadline and counts the item once', () => {
    const a = item('a');
    deadlines.watch(a, 10);
    const first = a.due;
    deadlines.watch(a, 1000);
    expect(deadlines.size).to.equal(1);
    deadlines.sweep(first + 1);
    expect(expired).to.deep.equal([]);
    deadlines.sweep(a.due);
    expect(expired).to.deep.equal(['a']);
  });

  it('.watch() with 0 keeps the item (size, toArray) but never expires it', () => {
    const a = item('a');
    deadlines.watch(a, 0);
    expect(deadlines.size).to.equal(1);
    expect(deadlines.toArray()).to.deep.equal(['a']);
    expect(deadlines.ticking).to.equal(false);
    deadlines.sweep(Number.MAX_SAFE_INTEGER);
    expect(expired).to.deep.equal([]);
  });

  it('.toArray() is a snapshot of every watched item', () => {
    const nodes = ['a', 'b', 'c'].map(item);
    deadlines.watch(nodes[0] as Deadline<string>, 10);
    deadlines.watch(nodes[1] as Deadline<string>, 0);
    deadlines.watch(nodes[2] as Deadline<string>, 20);
    const snapshot = deadlines.toArray();
    for (const node of nodes) deadlines.unwatch(node);
    expect(snapshot.sort()).to.deep.equal(['a', 'b', 'c']);
    expect(deadlines.toArray()).to.deep.equal([]);
  });

  it("runs one unref'd timer however many items are watched, and stops it when none are", () => {
    const base = timers();
    const items = Array.from({ length: 1000 }, (_, i) => item(String(i)));
    expect(deadlines.ticking).to.equal(false);
    for (const it of items) deadlines.watch(it, 1000 + (it.value.length % 3));
    expect(deadlines.ticking).to.equal(true);
    // Unref'd, so it keeps no process alive (and is not listed as active).
    expect(timers()).to.equal(base);
    for (const it of items) deadlines.unwatch(it);
    deadlines.sweep();
    expect(deadlines.ticking).to.equal(false);
  });

  it('fires by itself within a few ticks of the deadline', async () => {
    const a = item('a');
    const started = performance.now();
    const fired = new Promise<number>((resolve) => {
      deadlines = new Deadlines<string>(() => resolve(performance.now()), 20);
    });
    deadlines.watch(a, 50);
    const at = await fired;
    expect(at - started).to.be.at.least(50);
  });
});
