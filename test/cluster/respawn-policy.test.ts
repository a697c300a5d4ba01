// RespawnPolicy on a clock the test moves: the backoff doubles with each
// death in the window, is capped, forgets deaths older than the window, and
// calls the 5th death within it a crash loop.

import { expect } from 'chai';
import { checkRespawnOptions, DEFAULT_RESPAWN, RespawnPolicy } from '../../src/cluster/respawn-policy';

describe('RespawnPolicy', () => {
  let now = 0;
  const policy = (options = DEFAULT_RESPAWN): RespawnPolicy => new RespawnPolicy(options, () => now);
  beforeEach(() => {
    now = 1_000_000;
  });

  it('doubles the wait with each death in the window, from 100 ms', () => {
    const deaths = policy();
    const delays = [0, 1, 2, 3].map(() => {
      now += 500;
      return deaths.died();
    });
    expect(delays).to.deep.equal([
      { respawn: true, delayMs: 100 },
      { respawn: true, delayMs: 200 },
      { respawn: true, delayMs: 400 },
      { respawn: true, delayMs: 800 },
    ]);
  });

  it('calls the 5th death within 10 s a crash loop', () => {
    const deaths = policy();
    for (let i = 0; i < 4; i++) {
      now += 2000;
      expect(deaths.died().respawn).to.equal(true);
    }
    now += 1999; // the 5th, 9,999 ms after the 1st
    expect(deaths.died()).to.deep.equal({ respawn: false, deaths: 5 });
  });

  it('forgets deaths older than the window: a process that dies now and then is always replaced, at the shortest wait', () => {
    const deaths = policy();
    for (let i = 0; i < 20; i++) {
      now += 10_000;
      expect(deaths.died()).to.deep.equal({ respawn: true, delayMs: 100 });
    }
  });

  it('caps the wait at maxDelayMs', () => {
    const deaths = policy({ minDelayMs: 1000, maxDelayMs: 3000, maxDeaths: 10, windowMs: 60_000 });
    const delays = [0, 1, 2, 3].map(() => (deaths.died() as { delayMs: number }).delayMs);
    expect(delays).to.deep.equal([1000, 2000, 3000, 3000]);
  });

  describe('checkRespawnOptions', () => {
    it('fills in the defaults', () => {
      expect(checkRespawnOptions({ maxDeaths: 3 })).to.deep.equal({ ...DEFAULT_RESPAWN, maxDeaths: 3 });
    });

    it('refuses an unknown field, a bad number and a minimum above the maximum, naming them', () => {
      expect(() => checkRespawnOptions({ retries: 3 })).to.throw(TypeError, 'Unknown option "respawn.retries"');
      expect(() => checkRespawnOptions({ windowMs: 0 })).to.throw(
        RangeError,
        'Option "respawn.windowMs" must be a positive integer, got 0',
      );
      expect(() => checkRespawnOptions({ minDelayMs: 6000 })).to.throw(
        RangeError,
        'Option "respawn.minDelayMs" must not exceed "respawn.maxDelayMs"',
      );
      expect(() => checkRespawnOptions([])).to.throw(TypeError, 'Option "respawn" must be an object');
    });
  });
});
