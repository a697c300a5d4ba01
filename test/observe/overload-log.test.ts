// OverloadLog on a clock the test moves: shed and timeout lines capped per
// second with one line for the rest, one line when shedding begins and one
// when a quiet second ends it.

import { expect } from 'chai';
import { OverloadLog, type OverloadLogClock } from '../../src/observe/overload-log';
import { captureLogs, LEVELS } from '../helpers/capture-logs';

describe('OverloadLog', () => {
  let now = 0;
  let ticking: (() => void) | undefined;
  let stops = 0;
  const clock: OverloadLogClock = {
    now: () => now,
    every: (_ms, tick) => {
      ticking = tick;
      return () => {
        ticking = undefined;
        stops++;
      };
    },
  };
  beforeEach(() => {
    now = 10_000;
    ticking = undefined;
    stops = 0;
  });

  it('allows 10 lines a second, counts the rest, and says how many it left out when the second is over', () => {
    const logs = captureLogs('info');
    const overload = new OverloadLog(logs.logger, 10, clock);
    const allowed = Array.from({ length: 25 }, () => overload.allowLine()).filter(Boolean).length;
    expect(allowed).to.equal(10);
    expect(logs.lines).to.deep.equal([]);
    now += 1000;
    expect(overload.allowLine()).to.equal(true);
    expect(logs.lines).to.have.length(1);
    expect(logs.lines[0]).to.include({ level: LEVELS.warn, suppressed: 15 });
    expect(logs.lines[0]?.msg).to.equal('overload: 15 shed and timeout access lines left out (at most 10 a second)');
  });

  it('logs one line when shedding begins and one when a second passes with nothing shed', () => {
    const logs = captureLogs('info');
    const overload = new OverloadLog(logs.logger, 10, clock);
    for (let i = 0; i < 50; i++) {
      overload.shed('queue_full');
      now += 40; // 2 s of shedding, 25 a second
    }
    expect(logs.lines.map((line) => line.msg)).to.deep.equal(['overload: shedding began']);
    expect(logs.lines[0]).to.include({ level: LEVELS.warn, reason: 'queue_full' });
    ticking?.(); // 40 ms after the last shed: still overloaded
    expect(logs.lines).to.have.length(1);
    now += 1000;
    ticking?.();
    expect(logs.lines[1]).to.include({ level: LEVELS.info, msg: 'overload: shedding ended', shed: 50, ms: 3000 });
    expect(stops).to.equal(1);
    expect(ticking).to.equal(undefined);
  });

  it('reports the lines left out when overload ends, even with no line due after it', () => {
    const logs = captureLogs('info');
    const overload = new OverloadLog(logs.logger, 2, clock);
    overload.shed('queue_timeout');
    for (let i = 0; i < 5; i++) overload.allowLine();
    now += 1500;
    ticking?.();
    expect(logs.lines.map((line) => line.msg)).to.deep.equal([
      'overload: shedding began',
      'overload: 3 shed and timeout access lines left out (at most 2 a second)',
      'overload: shedding ended',
    ]);
  });
});
