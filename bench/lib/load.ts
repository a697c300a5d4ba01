// One load run: autocannon against one URL for a fixed time with a fixed
// number of connections, from this (the parent) process.
//
// autocannon's own latency histogram mixes every status (and rounds to whole
// milliseconds), but a shed 503 is fast and would flatter a server's p99. So
// each response's latency is taken from autocannon's 'response' event (an
// hrtime measurement, fractional ms) and kept apart by status: 2xx, and the
// rest (503s, mostly).

import autocannon from 'autocannon';
import { summarizeLatencies, type LatencySummary } from './stats';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSec: number;
  /** Request headers besides Host (none by default: autocannon sends no Accept-Encoding). */
  headers?: Record<string, string>;
  /** Requests per second across all connections (default: as fast as the server answers). */
  overallRate?: number;
  /** Requests each connection sends before it waits for an answer (default 1). */
  pipelining?: number;
  /**
   * Seconds run before counting starts (default 0): requests sent earlier
   * are not counted, so opening 1,000 connections (and the kernel's
   * SYN retries while it does) is not measured as the server's latency. The
   * run lasts `settleSec + durationSec`.
   */
  settleSec?: number;
}

export interface LoadResult {
  connections: number;
  durationSec: number;
  /** Responses of any status per second. */
  rps: number;
  /** 2xx responses per second: goodput. */
  okRps: number;
  responses: number;
  ok: number;
  non2xx: number;
  status503: number;
  errors: number;
  timeouts: number;
  /** All responses, 2xx only, and non-2xx only; in ms. */
  latency: LatencySummary;
  okLatency: LatencySummary;
  errorLatency: LatencySummary;
  /** Share of one core autocannon (this process) used during the run. */
  loadgenCpu: number;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const okTimes: number[] = [];
  const otherTimes: number[] = [];
  const settleSec = options.settleSec ?? 0;
  let status503 = 0;
  let cpuAtStart = process.cpuUsage();
  let started = performance.now();
  const countFrom = started + settleSec * 1000;
  const settled = setTimeout(() => {
    cpuAtStart = process.cpuUsage();
    started = performance.now();
  }, settleSec * 1000);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: settleSec + options.durationSec,
        timeout: 30,
        ...(options.pipelining === undefined ? {} : { pipelining: options.pipelining }),
        ...(options.headers === undefined ? {} : { headers: options.headers }),
        ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
      },
      (error, result) => {
        clearTimeout(settled);
        if (error !== null) {
          reject(error);
          return;
        }
        const counted = settleSec === 0 ? result.duration : (performance.now() - started) / 1000;
        resolve(
          loadResult(options, counted, okTimes, otherTimes, {
            status503: settleSec === 0 ? (result.statusCodeStats['503']?.count ?? 0) : status503,
            errors: result.errors,
            timeouts: result.timeouts,
            cpu: process.cpuUsage(cpuAtStart),
            wallMs: performance.now() - started,
          }),
        );
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      // Sent before counting began (during the connection storm): not counted.
      if (settleSec > 0 && performance.now() - responseTime < countFrom) return;
      if (statusCode === 503) status503++;
      if (statusCode >= 200 && statusCode < 300) okTimes.push(responseTime);
      else otherTimes.push(responseTime);
    });
  });
}

/** Builds a LoadResult from the latencies one load client kept, 2xx apart from the rest. */
export function loadResult(
  options: LoadOptions,
  seconds: number,
  okTimes: number[],
  otherTimes: number[],
  extra: { status503: number; errors: number; timeouts: number; cpu: NodeJS.CpuUsage; wallMs: number },
): LoadResult {
  const responses = okTimes.length + otherTimes.length;
  return {
    connections: options.connections,
    durationSec: seconds,
    rps: responses / seconds,
    okRps: okTimes.length / seconds,
    responses,
    ok: okTimes.length,
    non2xx: otherTimes.length,
    status503: extra.status503,
    errors: extra.errors,
    timeouts: extra.timeouts,
    latency: summarizeLatencies([...okTimes, ...otherTimes]),
    okLatency: summarizeLatencies(okTimes),
    errorLatency: summarizeLatencies(otherTimes),
    loadgenCpu: (extra.cpu.user + extra.cpu.system) / 1000 / extra.wallMs,
  };
}
