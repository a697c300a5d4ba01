// Deadlines: one coarse timer, lists in deadline order, O(1) watch/unwatch.

import { expect } from 'chai';
import { Deadlines, type Expirable } from '../../src/jobs/deadlines';

interface Item extends Expirable {
  name: string;
}

function item(name: string): Item {
  return { name, deadline: 0, deadlinePrev: null, deadlineNext: null, deadlineList: null };
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

describe('Deadlines', () => {
  let expired: string[];
  let deadlines: Deadlines<Item>;

  beforeEach(() => {
    expired = [];
    deadlines = new Deadlines<Item>((it) => expired.push(it.name));
  });
  afterEach(() => deadlines.stop());

  it('.watch() sets the deadline timeoutMs from now', () => {
    const a = item('a');
    const before = performance.now();
    deadlines.watch(a, 100);
    expect(a.deadline).to.be.within(before + 100, performance.now() + 100);
  });

  it('.sweep() expires an item on the first sweep at or after its deadline, once', () => {
    const a = item('a');
    deadlines.watch(a, 100);
    deadlines.sweep(a.deadline - 1);
    expect(expired).to.deep.equal([]);
    deadlines.sweep(a.deadline);
    deadlines.sweep(a.deadline + 1000);
    expect(expired).to.deep.equal(['a']);
    expect(a.deadlineList).to.equal(null);
  });

  it('.sweep() expires items of different timeouts in each list, leaving the rest', () => {
    const short1 = item('short1');
    const long = item('long');
    const short2 = item('short2');
    deadlines.watch(short1, 50);
    deadlines.watch(long, 500);
    deadlines.watch(short2, 50);
    deadlines.sweep(short2.deadline);
    expect(expired).to.deep.equal(['short1', 'short2']);
    deadlines.sweep(long.deadline);
    expect(expired).to.deep.equal(['short1', 'short2', 'long']);
  });

  it('.unwatch() keeps an item from expiring, and is harmless twice', () => {
    const a = item('a');
    const b = item('b');
    deadlines.watch(a, 10);
    deadlines.watch(b, 10);
    deadlines.unwatch(a);
    deadlines.unwatch(a);
    deadlines.sweep(b.deadline + 1);
    expect(expired).to.deep.equal(['b']);
  });

  it('.watch() again replaces the old deadline', () => {
    const a = item('a');
    deadlines.watch(a, 10);
    const first = a.deadline;
    deadlines.watch(a, 1000);
    deadlines.sweep(first + 1);
    expect(expired).to.deep.equal([]);
    deadlines.sweep(a.deadline);
    expect(expired).to.deep.equal(['a']);
  });

  it('.watch() with 0 means no deadline', () => {
    const a = item('a');
    deadlines.watch(a, 0);
    expect(a.deadlineList).to.equal(null);
    deadlines.sweep(Number.MAX_SAFE_INTEGER);
    expect(expired).to.deep.equal([]);
  });

  it("runs one unref'd timer however many items are watched, and stops it when none are", () => {
    const base = timers();
    const items = Array.from({ length: 1000 }, (_, i) => item(String(i)));
    expect(deadlines.ticking).to.equal(false);
    for (const it of items) deadlines.watch(it, 1000 + (it.name.length % 3));
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
      deadlines = new Deadlines<Item>(() => resolve(performance.now()), 20);
    });
    deadlines.watch(a, 50);
    const at = await fired;
    expect(at - started).to.be.at.least(50);
  });
});
