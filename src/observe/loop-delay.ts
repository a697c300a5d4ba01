// LoopDelay: how late the event loop ran its timers, read window by window.
// node's own histogram (perf_hooks), sampled every 10 ms off the JS thread's
// work, so measuring costs nothing per request. Each reader (the adaptive
// limit, the status page) keeps its own, since reading one starts its next
// window.

import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

/** One window's delays, in ms past the timer's due time (0 before any sample). */
export interface LoopDelayWindow {
  p99Ms: number;
  maxMs: number;
  /** The share of the window the loop spent running code rather than waiting for events (0 to 1). */
  busy: number;
}

export class LoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private utilization: EventLoopUtilization = performance.eventLoopUtilization();

  constructor() {
    this.histogram.enable();
  }

  /** The window since the last call; starts the next one. */
  take(): LoopDelayWindow {
    const { histogram } = this;
    // A sample is the time between ticks, the resolution included.
    const late = (ns: number): number => (histogram.count === 0 ? 0 : Math.max(0, ns / 1e6 - RESOLUTION_MS));
    const utilization = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(utilization, this.utilization).utilization;
    this.utilization = utilization;
    const window = { p99Ms: late(histogram.percentile(99)), maxMs: late(histogram.max), busy };
    histogram.reset();
    return window;
  }

  stop(): void {
    this.histogram.disable();
  }
}
