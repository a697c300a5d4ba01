// A load client that offers a chosen rate, and retries a 503 the way a kind
// of client does. autocannon cannot offer a rate at 1,000 connections: below
// one request per connection per second it drops connections, and its
// per-connection budget resets for all of them on the same second, so the
// "rate" arrives as one burst a second. Here each connection has its own
// schedule, offset from the others, so the requests arrive evenly.
//
// Each connection holds one request at a time (no pipelining):
// - a new request is due one interval (connections ÷ rate) after the last
//   new one was first sent; without a rate, at once (closed loop);
// - a 503 is retried: at once ('instant', as load balancers, naive SDKs and
//   autocannon do) or after its Retry-After ('retry-after', as a
//   well-behaved SDK or proxy does); each attempt is a request of its own
//   in the counts and latencies;
// - a connection error is retried after 100 ms on a new connection.
//
// The client speaks HTTP/1.1 over raw sockets with a fixed request: at the
// 15,000 answers a second of a retry flood, node's http client would cost
// more CPU than the server it measures (this machine shares its 2 cores).

import { connect, type Socket } from 'node:net';
import { loadResult, type LoadOptions, type LoadResult } from './load';

export type RetryPolicy = 'instant' | 'retry-after';

export interface PacedLoadOptions extends LoadOptions {
  retry: RetryPolicy;
}

/** The longest a connection waits, whatever Retry-After says (seconds). */
const MAX_BACKOFF_SEC = 5;
const ERROR_BACKOFF_MS = 100;
// Connections open over the first second: 1,000 connects at once overflow a
// listen backlog, and the SYN retries (1 s, 3 s) would be measured as request
// latency. Nothing is counted before the ramp (or settleSec, if longer) ends.
const RAMP_MS = 1000;

interface Answer {
  /** 0 for a connection error. */
  status: number;
  retryAfterSec: number;
}

export async function runPacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const extraHeaders = Object.entries(options.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const requestBytes = Buffer.from(
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n${extraHeaders}\r\n`,
  );
  // Latencies: every attempt sent inside the window, however late it completes.
  // Rates: the answers that completed inside the window, over its length.
  const okTimes: number[] = [];
  const otherTimes: number[] = [];
  let okDone = 0;
  let otherDone = 0;
  let status503 = 0;
  let errors = 0;
  const countFromMs = Math.max(RAMP_MS, (options.settleSec ?? 0) * 1000);
  const begun = performance.now();
  const countFrom = begun + countFromMs;
  const endAt = countFrom + options.durationSec * 1000;
  let cpuAtStart = process.cpuUsage();
  let cpuUsed: NodeJS.CpuUsage | undefined;
  const cpuTimers = [
    setTimeout(() => (cpuAtStart = process.cpuUsage()), countFromMs),
    setTimeout(() => (cpuUsed = process.cpuUsage(cpuAtStart)), countFromMs + options.durationSec * 1000),
  ];
  const record = (sent: number, answer: Answer): void => {
    const now = performance.now();
    const ok = answer.status >= 200 && answer.status < 300;
    if (answer.status === 0) errors++;
    else if (sent >= countFrom && sent <= endAt) (ok ? okTimes : otherTimes).push(now - sent);
    if (answer.status !== 0 && now >= countFrom && now <= endAt) {
      if (ok) okDone++;
      else otherDone++;
      if (answer.status === 503) status503++;
    }
  };
  const pauseUntil = (at: number): Promise<void> | undefined => {
    const ms = Math.min(at, endAt) - performance.now();
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : undefined;
  };

  const intervalMs = options.overallRate === undefined ? 0 : (1000 * options.connections) / options.overallRate;
  const connection = async (index: number): Promise<void> => {
    await pauseUntil(begun + (index / options.connections) * RAMP_MS);
    const socket = new RawConnection(target.hostname, Number(target.port), requestBytes);
    try {
      while (performance.now() < endAt) {
        const firstSent = performance.now();
        // One request: retried until it is answered with something other than a 503 or the run ends.
        for (;;) {
          const sent = performance.now();
          const answer = await socket.get();
          record(sent, answer);
          if (answer.status !== 503 && answer.status !== 0) break;
          if (performance.now() >= endAt) break;
          if (answer.status === 0) await pauseUntil(performance.now() + ERROR_BACKOFF_MS);
          else if (options.retry === 'retry-after') {
            const backoffSec = Math.min(Math.max(answer.retryAfterSec, 0), MAX_BACKOFF_SEC);
            await pauseUntil(performance.now() + backoffSec * 1000);
          }
        }
        await pauseUntil(firstSent + intervalMs);
      }
    } finally {
      socket.close();
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, index) => connection(index)));
  for (const timer of cpuTimers) clearTimeout(timer);

  const seconds = options.durationSec;
  const result = loadResult(options, seconds, okTimes, otherTimes, {
    status503,
    errors,
    timeouts: 0,
    cpu: cpuUsed ?? process.cpuUsage(cpuAtStart),
    wallMs: seconds * 1000,
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

const HEADERS_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n');

/**
 * One kept-alive connection sending the same GET, one at a time, reading
 * just what the bench needs: the status, Content-Length (or the end of a
 * chunked body), Retry-After and Connection: close.
 */
class RawConnection {
  private socket: Socket | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: ((answer: Answer) => void) | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly request: Buffer,
  ) {}

  get(): Promise<Answer> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.open().write(this.request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Socket {
    if (this.socket !== undefined) return this.socket;
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    // An error always ends in 'close': the request in flight, if any, failed.
    socket.on('error', () => {});
    socket.on('close', () => {
      // A socket this side closed (Connection: close, the run's end) was already let go.
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.answer({ status: 0, retryAfterSec: 0 });
    });
    this.socket = socket;
    return socket;
  }

  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headersEnd = this.buffered.indexOf(HEADERS_END);
    if (headersEnd < 0) return;
    const head = this.buffered.subarray(0, headersEnd).toString('latin1').toLowerCase();
    const bodyStart = headersEnd + HEADERS_END.length;
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    if (length !== null) {
      if (this.buffered.length < bodyStart + Number(length[1])) return;
    } else if (head.includes('\r\ntransfer-encoding: chunked')) {
      if (this.buffered.indexOf(CHUNKED_END, bodyStart - 2) < 0) return;
    }
    const status = Number(head.slice(9, 12));
    const retryAfter = /\r\nretry-after: *(\d+)/.exec(head);
    const closing = head.includes('\r\nconnection: close');
    this.buffered = Buffer.alloc(0);
    if (closing) this.close();
    this.answer({ status, retryAfterSec: retryAfter === null ? 0 : Number(retryAfter[1]) });
  }

  private answer(answer: Answer): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.(answer);
  }
}
