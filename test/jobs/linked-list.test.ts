// LinkedList: the one intrusive list behind the queue and the deadlines.

import { expect } from 'chai';
import { LinkedList, ListNode, QueueItem, detachedEntry } from '../../src/jobs/linked-list';

class Item extends QueueItem {
  constructor(readonly name: string) {
    super();
  }
}

const names = (list: LinkedList<Item>): string[] => [...list].map((it) => it.name);

describe('LinkedList', () => {
  it('is FIFO: push at the tail, shift from the head', () => {
    const list = new LinkedList<number>();
    for (const n of [1, 2, 3]) list.push(n);
    expect(list.length).to.equal(3);
    expect(list.peek()).to.equal(1);
    expect([list.shift(), list.shift(), list.shift(), list.shift()]).to.deep.equal([1, 2, 3, undefined]);
    expect(list.length).to.equal(0);
  });

  it('pops from the tail, and a popped node can be pushed again', () => {
    const list = new LinkedList<Item>();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => new Item(name)) as [Item, Item, Item];
    for (const it of [a, b, c]) list.push(it);
    expect(list.pop()).to.equal(c);
    expect(names(list)).to.deep.equal(['a', 'b']);
    expect(list.holds(c)).to.equal(false);
    list.push(c);
    expect([list.pop(), list.pop(), list.shift(), list.pop()]).to.deep.equal([c, b, a, undefined]);
    expect(list.length).to.equal(0);
  });

  it('removes from the head, the middle and the tail in place', () => {
    const list = new LinkedList<Item>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => new Item(name)) as [Item, Item, Item, Item];
    for (const it of [a, b, c, d]) list.push(it);
    expect(list.remove(b)).to.equal(true);
    expect(names(list)).to.deep.equal(['a', 'c', 'd']);
    expect(list.remove(a)).to.equal(true);
    expect(list.remove(d)).to.equal(true);
    expect(names(list)).to.deep.equal(['c']);
    expect(list.shift()).to.equal(c);
    expect(list.peek()).to.equal(undefined);
    list.push(a);
    expect(names(list)).to.deep.equal(['a']);
  });

  it('a QueueItem is its own entry: pushing it allocates no node', () => {
    const list = new LinkedList<Item>();
    const a = new Item('a');
    expect(list.push(a)).to.equal(a);
  });

  it('a QueueItem already in a list is wrapped when pushed to another, and both hold it', () => {
    const first = new LinkedList<Item>();
    const second = new LinkedList<Item>();
    const a = new Item('a');
    first.push(a);
    const entry = second.push(a);
    expect(entry).to.not.equal(a);
    expect(entry.value).to.equal(a);
    expect(first.holds(a)).to.equal(true);
    expect(second.holds(entry)).to.equal(true);
  });

  it('removing twice, or from the wrong list, is a harmless false', () => {
    const one = new LinkedList<number>();
    const two = new LinkedList<number>();
    const entry = one.push(1);
    two.push(2);
    expect(two.remove(entry)).to.equal(false);
    expect(two.length).to.equal(1);
    expect(one.remove(entry)).to.equal(true);
    expect(one.remove(entry)).to.equal(false);
    expect(one.length).to.equal(0);
    expect(one.remove(detachedEntry(3))).to.equal(false);
  });

  it('.append() moves an owner-kept node between lists without a new node', () => {
    const queued = new LinkedList<string>();
    const running = new LinkedList<string>();
    const node = new ListNode('job');
    queued.append(node);
    expect([...queued]).to.deep.equal(['job']);
    running.append(node);
    expect(queued.length).to.equal(0);
    expect(running.first()).to.equal(node);
    expect(running.holds(node)).to.equal(true);
    expect(queued.holds(node)).to.equal(false);
  });

  it('stays consistent through many mixed operations', () => {
    const list = new LinkedList<number>();
    const model: number[] = [];
    const entries = new Map<number, ReturnType<LinkedList<number>['push']>>();
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const op = next() % 3;
      if (op === 0 || model.length === 0) {
        entries.set(i, list.push(i));
        model.push(i);
      } else if (op === 1) {
        expect(list.shift()).to.equal(model.shift());
      } else {
        const value = model[next() % model.length] as number;
        expect(list.remove(entries.get(value) as ReturnType<LinkedList<number>['push']>)).to.equal(true);
        model.splice(model.indexOf(value), 1);
      }
      expect(list.length).to.equal(model.length);
    }
    expect([...list]).to.deep.equal(model);
  });
});
