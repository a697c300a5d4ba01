// A load client whose connections honour Retry-After, as a well-behaved SDK or
// proxy does: after a 503 with Retry-After, that connection waits that long
// before its next request. autocannon retries at once, so against a server
// that sheds it measures how fast 503s can be answered; this measures what a
// shedding server delivers to clients that back off.

import { Agent, request } from 'node:http';
import { loadResult, type LoadOptions, type LoadResult } from './load';

/** The longest a connection waits, whatever Retry-After says (seconds). */
const MAX_BACKOFF_SEC = 5;

// Connections open over the first second, and nothing is counted until it has
// passed: 1,000 connects at once overflow the listen backlog, and the SYN
// retries (1 s, 3 s) would be measured as request latency, for every server.
const RAMP_MS = 1000;

export async function runPoliteLoad(options: LoadOptions): Promise<LoadResult> {
  // maxFreeSockets too: its default (256) would close most of the 1,000
  // connections between requests and open new ones.
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.connections,
    maxFreeSockets: options.connections,
  });
  // Latencies: every request sent inside the window, however late it completes
  // (dropping the slow ones would flatter a server with a long backlog).
  // Rates: the responses that completed inside the window, over its length
  // (counting the drain after it as time would deflate them).
  const okTimes: number[] = [];
  const otherTimes: number[] = [];
  let okDone = 0;
  let otherDone = 0;
  let status503 = 0;
  let errors = 0;
  const begun = performance.now();
  const countFrom = begun + RAMP_MS;
  const endAt = countFrom + options.durationSec * 1000;
  // The client's own CPU over the counted window only.
  let cpuAtStart = process.cpuUsage();
  let cpuUsed: NodeJS.CpuUsage | undefined;
  const cpuTimers = [
    setTimeout(() => (cpuAtStart = process.cpuUsage()), RAMP_MS),
    setTimeout(() => (cpuUsed = process.cpuUsage(cpuAtStart)), RAMP_MS + options.durationSec * 1000),
  ];

  const once = (): Promise<{ status: number; retryAfter: number }> =>
    new Promise((resolve) => {
      const sent = performance.now();
      const req = request(options.url, { agent, headers: options.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          const now = performance.now();
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          if (sent >= countFrom && sent <= endAt) (ok ? okTimes : otherTimes).push(now - sent);
          if (now >= countFrom && now <= endAt) {
            if (ok) okDone++;
            else otherDone++;
            if (status === 503) status503++;
          }
          resolve({ status, retryAfter: Number(res.headers['retry-after'] ?? 0) });
        });
      });
      req.on('error', () => {
        errors++;
        resolve({ status: 0, retryAfter: 1 });
      });
      req.end();
    });

  const connection = async (index: number): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, (index / options.connections) * RAMP_MS));
    while (performance.now() < endAt) {
      const { status, retryAfter } = await once();
      if (status === 503 || status === 0) {
        const waitMs = Math.min(Math.max(retryAfter, 0), MAX_BACKOFF_SEC) * 1000;
        const left = endAt - performance.now();
        if (left <= 0) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, left)));
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, index) => connection(index)));
  for (const timer of cpuTimers) clearTimeout(timer);
  agent.destroy();

  const wallMs = options.durationSec * 1000;
  const seconds = wallMs / 1000;
  const result = loadResult(options, seconds, okTimes, otherTimes, {
    status503,
    errors,
    timeouts: 0,
    cpu: cpuUsed ?? process.cpuUsage(cpuAtStart),
    wallMs,
  });
  return {
    ...result,
    rps: (okDone + otherDone) / seconds,
    okRps: okDone / seconds,
    responses: okDone + otherDone,
    ok: okDone,
    non2xx: otherDone,
  };
}
