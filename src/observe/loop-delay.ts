// LoopDelay: how late the event loop ran its timers, read window by window.
// node's own histogram (perf_hooks), sampled every 10 ms off the JS thread's
// work, so measuring costs nothing per request.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

export class LoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  constructor() {
    this.histogram.enable();
  }

  /** The p99 delay since the last call, in ms (0 before any sample); starts the next window. */
  takeP99Ms(): number {
    // A sample is the time between ticks, the resolution included.
    const p99 = this.histogram.count === 0 ? 0 : Math.max(0, this.histogram.percentile(99) / 1e6 - RESOLUTION_MS);
    this.histogram.reset();
    return p99;
  }

  stop(): void {
    this.histogram.disable();
  }
}
