// Overload: 3,000 requests at concurrency 300 against 20 workers and a queue of
// 100. Every request gets exactly one answer, a 200 from a handler that ran or
// a fast 503 from a full queue, and the pool is back at rest afterwards.

import { expect } from 'chai';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get, type HttpPoolApp } from '../../src/index';
import { appStarter } from '../helpers/start-app';

const TOTAL = 3_000;
const CONCURRENCY = 300;
const WORKERS = 20;
const QUEUE_SIZE = 100;
/** How long a handler holds its worker: 20 workers × 3 ms ≈ 6,600 req/s at most, less than 300 clients offer. */
const HANDLER_MS = 3;

/** What the handlers saw: how many ran, and the most that ran or waited at once. */
const seen = { runs: 0, running: 0, maxRunning: 0, maxQueued: 0 };
let appUnderLoad: HttpPoolApp | undefined;

@Controller()
class LoadController {
  @Get('/work')
  async work() {
    seen.runs++;
    seen.running++;
    seen.maxRunning = Math.max(seen.maxRunning, seen.running);
    seen.maxQueued = Math.max(seen.maxQueued, appUnderLoad?.pool.stats().queued ?? 0);
    try {
      await sleep(HANDLER_MS);
      return { ok: true };
    } finally {
      seen.running--;
    }
  }
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One GET through the keep-alive agent; resolves with the whole answer, rejects on a socket error. */
function get(agent: Agent, port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

/** A 503 from a full queue: Retry-After and the one JSON error shape. */
function isShedAnswer(answer: Answer): boolean {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    return false;
  }
  return (
    answer.headers['retry-after'] === '1' &&
    /^application\/json/.test(answer.headers['content-type'] ?? '') &&
    body.statusCode === 503 &&
    body.error === 'Service Unavailable' &&
    body.message === 'Server is at capacity, try again later' &&
    Object.keys(body).length === 3
  );
}

describe('overload: 3,000 requests at concurrency 300 against 20 workers and a queue of 100', function () {
  this.timeout(20_000);
  const startApp = appStarter();

  beforeEach(() => {
    Object.assign(seen, { runs: 0, running: 0, maxRunning: 0, maxQueued: 0 });
  });

  afterEach(() => {
    appUnderLoad = undefined;
  });

  it('answers every request once: 200s from handlers that ran, 503s with Retry-After from a full queue', async () => {
    const { app, port } = await startApp({
      controllers: [LoadController],
      workers: WORKERS,
      queueSize: QUEUE_SIZE,
      // Long enough that no job times out in the queue: every 503 is a full queue.
      queueTimeoutMs: 60_000,
      logger: false,
    });
    appUnderLoad = app;
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    /** Answers (or socket errors) per request: each must end up at exactly 1. */
    const outcomes = new Array<number>(TOTAL).fill(0);
    const statuses = new Map<number, number>();
    const errors: string[] = [];
    const badShed: string[] = [];
    let started = 0;

    // 300 lanes, each sending its next request as soon as the last one is answered.
    const lane = async (): Promise<void> => {
      while (started < TOTAL) {
        const index = started++;
        let answer: Answer;
        try {
          answer = await get(agent, port, `/work?n=${index}`);
        } catch (error) {
          outcomes[index]!++;
          errors.push(`#${index}: ${(error as Error).message}`);
          continue;
        }
        outcomes[index]!++;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 503 && !isShedAnswer(answer)) {
          badShed.push(`#${index}: ${JSON.stringify(answer.headers)} ${answer.body}`);
        }
      }
    };
    const startedAt = performance.now();
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    } finally {
      agent.destroy();
    }
    const elapsedMs = performance.now() - startedAt;

    const ok = statuses.get(200) ?? 0;
    const shed = statuses.get(503) ?? 0;
    const summary = `statuses ${JSON.stringify(Object.fromEntries(statuses))}, runs ${seen.runs}, ${elapsedMs.toFixed(0)} ms`;
    expect(errors, `socket errors (${summary})`).to.deep.equal([]);
    expect(
      outcomes.filter((count) => count !== 1),
      'requests without exactly one answer',
    ).to.deep.equal([]);
    expect(ok + shed, `200s + 503s (${summary})`).to.equal(TOTAL);
    expect(ok, `200s vs handler runs (${summary})`).to.equal(seen.runs);
    expect(shed, `the load must overload the pool (${summary})`).to.be.greaterThan(0);
    expect(badShed.slice(0, 5), '503s without Retry-After or the JSON error shape').to.deep.equal([]);
    expect(seen.maxRunning, 'handlers running at once').to.equal(WORKERS);
    expect(seen.maxQueued, 'jobs queued at once').to.be.at.most(QUEUE_SIZE);

    // Each answer went out after its job released its worker, so the pool is at rest now.
    expect(app.pool.stats()).to.deep.equal({
      workers: WORKERS,
      busy: 0,
      idle: WORKERS,
      queued: 0,
      completed: seen.runs,
      rejected: shed,
    });
  });
});
