// BucketHistogram must expose exactly what prom-client's own Histogram would.

import { expect } from 'chai';
import { Histogram, Registry } from 'prom-client';
import { BucketHistogram } from '../../src/observe/bucket-histogram';
import { mulberry32 } from '../helpers/prng';

const BOUNDS = [0.001, 0.01, 0.1, 1, 10];

describe('BucketHistogram', () => {
  it('exposes the same text as prom-client’s Histogram for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new BucketHistogram('h_seconds', 'help', BOUNDS, 'route', ours);
    const reference = new Histogram({
      name: 'h_seconds',
      help: 'help',
      labelNames: ['route'],
      buckets: BOUNDS,
      registers: [theirs],
    });
    const random = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const route = random() < 0.5 ? '/a' : '/b/:id';
      // Values on and around the bounds too: `le` means less than or equal.
      const value = i % 10 === 0 ? (BOUNDS[i % BOUNDS.length] as number) : random() ** 4 * 20;
      fast.observe(route, value);
      reference.observe({ route }, value);
    }
    expect(await ours.metrics()).to.equal(await theirs.metrics());
  });

  it('has one unlabelled series when no label name is given, and reset() empties it', async () => {
    const registry = new Registry();
    const fast = new BucketHistogram('w_seconds', 'help', BOUNDS, undefined, registry);
    fast.observe('', 0.05);
    fast.observe('', 5);
    const text = await registry.metrics();
    expect(text).to.contain('w_seconds_bucket{le="0.1"} 1');
    expect(text).to.contain('w_seconds_bucket{le="+Inf"} 2');
    expect(text).to.contain('w_seconds_count 2');
    fast.reset();
    expect(await registry.metrics()).not.to.contain('w_seconds_count');
  });
});
