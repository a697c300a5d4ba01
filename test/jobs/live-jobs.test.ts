// LiveJobs: an intrusive set of the jobs in flight.

import { expect } from 'chai';
import { LiveJobs, type LiveLinks } from '../../src/jobs/live-jobs';

interface Job extends LiveLinks {
  name: string;
}

function job(name: string): Job {
  return { name, livePrev: null, liveNext: null, isLive: false };
}

describe('LiveJobs', () => {
  it('.add() and .delete() keep size and membership, from the head, middle and tail', () => {
    const live = new LiveJobs<Job>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(job) as [Job, Job, Job, Job];
    for (const j of [a, b, c, d]) live.add(j);
    expect(live.size).to.equal(4);
    live.delete(b); // middle
    live.delete(d); // head (newest first)
    live.delete(a); // tail
    expect(live.toArray().map((j) => j.name)).to.deep.equal(['c']);
    expect(live.size).to.equal(1);
    expect([a.isLive, b.isLive, c.isLive, d.isLive]).to.deep.equal([false, false, true, false]);
  });

  it('ignores a second .add() or .delete() of the same job', () => {
    const live = new LiveJobs<Job>();
    const a = job('a');
    live.add(a);
    live.add(a);
    expect(live.size).to.equal(1);
    live.delete(a);
    live.delete(a);
    expect(live.size).to.equal(0);
    expect(live.toArray()).to.deep.equal([]);
  });

  it('.toArray() is a snapshot: deleting while going through it misses nobody', () => {
    const live = new LiveJobs<Job>();
    const jobs = Array.from({ length: 5 }, (_, i) => job(String(i)));
    for (const j of jobs) live.add(j);
    const seen: string[] = [];
    for (const j of live.toArray()) {
      seen.push(j.name);
      live.delete(j);
    }
    expect(seen.sort()).to.deep.equal(['0', '1', '2', '3', '4']);
    expect(live.size).to.equal(0);
  });
});
