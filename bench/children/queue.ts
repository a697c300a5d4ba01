// Queue micro-benchmarks, one measurement per process (see bench/lib/fork-child.ts):
//   offer-poll <jobqueue|array|denque|intrusive> <depth> [touch]
//                                                          one job through a queue held at `depth`;
//                                                          with `touch`, the polled job is written to, as the pool does
//   remove <jobqueue|array|intrusive> <depth>              removing a job from a random place
//   heap <jobqueue|array|denque|intrusive> <n>             heap bytes per queued job (needs --expose-gc)
//   heap-http <n>                                heap bytes per HTTP request waiting in httppool's queue
//   heap-pool <workers>                          heap bytes of a WorkerPool of that size at rest

import 'reflect-metadata';
import Denque from 'denque';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Session } from 'node:inspector';
import { Socket } from 'node:net';
import {
  Controller,
  Get,
  HttpPoolApp,
  JobQueue,
  QueueItem,
  WorkerPool,
  type Complete,
  type PoolJob,
  type QueueEntry,
} from 'httppool';
import { childMain } from '../lib/fork-child';
import { median } from '../lib/stats';

/**
 * A job as the pool sees one: a `QueueItem` (so a JobQueue holds it without
 * allocating, as it holds HttpJob) with `run` and the pool's `queueEntry`
 * slot; plus the links the hand-written reference list below uses (every
 * implementation holds the same objects).
 */
class BenchJob extends QueueItem implements PoolJob {
  queueEntry: QueueEntry<PoolJob> | undefined = undefined;
  sketchPrev: BenchJob | null = null;
  sketchNext: BenchJob | null = null;
  owner: IntrusiveFifo | null = null;
  constructor(readonly id: number) {
    super();
  }
  run(): void {}
}

/**
 * A reference, not httppool's code: the leanest hand-written FIFO whose jobs
 * are their own list nodes, with no bound, no waiters and no entry handles:
 * the ceiling for JobQueue's design.
 */
class IntrusiveFifo {
  private head: BenchJob | null = null;
  private tail: BenchJob | null = null;
  length = 0;

  push(job: BenchJob): void {
    job.owner = this;
    job.sketchPrev = this.tail;
    job.sketchNext = null;
    if (this.tail === null) this.head = job;
    else this.tail.sketchNext = job;
    this.tail = job;
    this.length++;
  }

  shift(): BenchJob | undefined {
    const job = this.head;
    if (job !== null) this.remove(job);
    return job ?? undefined;
  }

  remove(job: BenchJob): boolean {
    if (job.owner !== this) return false;
    if (job.sketchPrev === null) this.head = job.sketchNext;
    else job.sketchPrev.sketchNext = job.sketchNext;
    if (job.sketchNext === null) this.tail = job.sketchPrev;
    else job.sketchNext.sketchPrev = job.sketchPrev;
    job.sketchPrev = job.sketchNext = null;
    job.owner = null;
    this.length--;
    return true;
  }
}

interface Fifo {
  push(job: BenchJob): void;
  shift(): BenchJob;
}

function makeFifo(impl: string, capacity: number): Fifo {
  switch (impl) {
    case 'jobqueue': {
      const queue = new JobQueue<BenchJob>(capacity);
      return {
        push: (job) => void queue.offer(job),
        shift: () => queue.poll() as BenchJob,
      };
    }
    case 'array': {
      const array: BenchJob[] = [];
      return { push: (job) => void array.push(job), shift: () => array.shift() as BenchJob };
    }
    case 'denque': {
      const denque = new Denque<BenchJob>();
      return { push: (job) => void denque.push(job), shift: () => denque.shift() as BenchJob };
    }
    case 'intrusive': {
      const list = new IntrusiveFifo();
      return { push: (job) => list.push(job), shift: () => list.shift() as BenchJob };
    }
    default:
      throw new TypeError(`unknown queue ${impl}`);
  }
}

/** Runs `batch` (which does `size` operations) repeatedly for `ms`; operations per second. */
function opsPerSecond(batch: () => void, size: number, ms: number): number {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    batch();
    ops += size;
    now = performance.now();
  }
  return (ops / (now - start)) * 1000;
}

function offerPoll(impl: string, depth: number, touch: boolean): { opsPerSec: number; samples: number[] } {
  const fifo = makeFifo(impl, depth + 1);
  for (let i = 0; i < depth; i++) fifo.push(new BenchJob(i));
  const BATCH = 1000;
  // One operation: the oldest job leaves and joins again at the tail, so the
  // depth stays put and no job object is allocated by the benchmark itself.
  // A queue that never touches its values (denque, Array) skips the cache
  // miss on a job last seen `depth` operations ago; the pool writes to every
  // job it polls (`job.queueEntry = undefined`, then `job.run()`), so `touch`
  // measures the queue as the pool uses it.
  const batch = touch
    ? (): void => {
        for (let i = 0; i < BATCH; i++) {
          const job = fifo.shift();
          job.queueEntry = undefined;
          fifo.push(job);
        }
      }
    : (): void => {
        for (let i = 0; i < BATCH; i++) fifo.push(fifo.shift());
      };
  // 120 ms windows (each over 10 million operations at these rates) keep the
  // queue scenario's 36 processes, and the whole suite, under its time budget.
  opsPerSecond(batch, BATCH, 120);
  const samples = [1, 2, 3, 4, 5].map(() => opsPerSecond(batch, BATCH, 120));
  return { opsPerSec: median(samples), samples };
}

// A fixed-seed generator, so every implementation removes the same positions.
function xorshift(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function removeCost(impl: string, depth: number): { nsPerRemove: number; removesPerRep: number; reps: number } {
  const random = xorshift(0x9e3779b9);
  const perRep = Math.max(10, Math.min(1000, Math.floor(depth / 10)));
  const jobs = Array.from({ length: depth }, (_, i) => new BenchJob(i));
  const samples: number[] = [];
  const budgetMs = 800;
  const started = performance.now();
  if (impl === 'jobqueue') {
    const queue = new JobQueue<BenchJob>(depth);
    const entries = jobs.map((job) => queue.offer(job) as QueueEntry<BenchJob>);
    for (let rep = 0; rep < 200 && (rep < 5 || performance.now() - started < budgetMs); rep++) {
      const picks = distinct(perRep, depth, random);
      const t0 = process.hrtime.bigint();
      for (const index of picks) queue.remove(entries[index] as QueueEntry<BenchJob>);
      const t1 = process.hrtime.bigint();
      for (const index of picks) entries[index] = queue.offer(jobs[index] as BenchJob) as QueueEntry<BenchJob>;
      if (rep >= 3) samples.push(Number(t1 - t0) / perRep);
    }
  } else if (impl === 'intrusive') {
    const list = new IntrusiveFifo();
    for (const job of jobs) list.push(job);
    for (let rep = 0; rep < 200 && (rep < 5 || performance.now() - started < budgetMs); rep++) {
      const picks = distinct(perRep, depth, random);
      const t0 = process.hrtime.bigint();
      for (const index of picks) list.remove(jobs[index] as BenchJob);
      const t1 = process.hrtime.bigint();
      for (const index of picks) list.push(jobs[index] as BenchJob);
      if (rep >= 3) samples.push(Number(t1 - t0) / perRep);
    }
  } else if (impl === 'array') {
    const array = [...jobs];
    for (let rep = 0; rep < 200 && (rep < 4 || performance.now() - started < budgetMs); rep++) {
      const picks = distinct(perRep, depth, random);
      const t0 = process.hrtime.bigint();
      for (const index of picks) array.splice(array.indexOf(jobs[index] as BenchJob), 1);
      const t1 = process.hrtime.bigint();
      for (const index of picks) array.push(jobs[index] as BenchJob);
      if (rep >= 1) samples.push(Number(t1 - t0) / perRep);
    }
  } else {
    throw new TypeError(`unknown queue ${impl}`);
  }
  return { nsPerRemove: median(samples), removesPerRep: perRep, reps: samples.length };
}

function distinct(count: number, below: number, random: () => number): number[] {
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(random() * below));
  return [...picked];
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function heapPerJob(impl: string, n: number): { queueBytesPerJob: number; withJobBytesPerJob: number } {
  const jobs = Array.from({ length: n }, (_, i) => new BenchJob(i));
  let before = heapUsed();
  const fifo = makeFifo(impl, n);
  for (const job of jobs) fifo.push(job);
  const queueBytesPerJob = (heapUsed() - before) / n;
  // The same again with the jobs themselves allocated inside the measurement.
  before = heapUsed();
  const second = makeFifo(impl, n);
  for (let i = 0; i < n; i++) second.push(new BenchJob(i));
  const withJobBytesPerJob = (heapUsed() - before) / n;
  keepAlive(fifo, second, jobs);
  return { queueBytesPerJob, withJobBytesPerJob };
}

@Controller()
class HoldController {
  // Declares `complete` and never calls it: the first request holds the only worker for good.
  @Get('/hold')
  hold(_res: unknown, _req: unknown, _complete: Complete): void {}
}

// What one request waiting in httppool's queue costs in heap: the HttpJob, its
// queue node, JobSupervisor's bookkeeping and the listener on the response.
// The request and response objects are made before the measurement (node
// makes them whatever the framework), with the classes httppool's own server uses.
interface RetainedSite {
  functionName: string;
  url: string;
  line: number;
  bytesPerRequest: number;
}

async function heapPerHttpRequest(
  n: number,
): Promise<{ bytesPerQueuedRequest: number; requestClass: string; queued: number; sites: RetainedSite[] }> {
  const app = await HttpPoolApp.bootstrap({
    controllers: [HoldController],
    workers: 1,
    queueSize: n + 1,
    logger: false,
    queueTimeoutMs: 0,
    handlerTimeoutMs: 0,
  });
  const RequestClass = serverClass(app.server, 'IncomingMessage', IncomingMessage);
  const ResponseClass = serverClass(app.server, 'ServerResponse', ServerResponse);
  const pairs = Array.from({ length: n + 1 }, () => {
    const req = new RequestClass(new Socket());
    req.method = 'GET';
    req.url = '/hold';
    return { req, res: new ResponseClass(req) };
  });
  app.dispatch(pairs[0]!.req, pairs[0]!.res);
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error === null ? resolve(result) : reject(error))),
    );
  const before = heapUsed();
  // Live objects only (the default): what a waiting request keeps, by the function that allocated it.
  await post('HeapProfiler.startSampling', { samplingInterval: 64 });
  for (let i = 1; i <= n; i++) app.dispatch(pairs[i]!.req, pairs[i]!.res);
  const bytes = heapUsed() - before;
  const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
  session.disconnect();
  const queued = app.stats().queued;
  keepAlive(pairs, app);
  return {
    bytesPerQueuedRequest: bytes / n,
    requestClass: RequestClass.name,
    queued,
    sites: retainedSites(profile.head, n),
  };
}

/** The class a node server makes its requests or responses from (its option of that name), else node's own. */
function serverClass<C>(server: object, option: 'IncomingMessage' | 'ServerResponse', fallback: C): C {
  const key = Object.getOwnPropertySymbols(server).find((symbol) => symbol.description === option);
  return (key === undefined ? undefined : (server as Record<symbol, C | undefined>)[key]) ?? fallback;
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

function retainedSites(head: SamplingNode, n: number): RetainedSite[] {
  const sites = new Map<string, RetainedSite>();
  const walk = (node: SamplingNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      const key = `${functionName}|${url}|${lineNumber}`;
      const site = sites.get(key) ?? { functionName, url, line: lineNumber + 1, bytesPerRequest: 0 };
      site.bytesPerRequest += node.selfSize / n;
      sites.set(key, site);
    }
    for (const child of node.children) walk(child);
  };
  walk(head);
  return [...sites.values()].sort((a, b) => b.bytesPerRequest - a.bytesPerRequest).slice(0, 12);
}

function heapOfPool(workers: number): { poolBytes: number } {
  const before = heapUsed();
  const pool = new WorkerPool(workers, new JobQueue<PoolJob>(1000));
  const poolBytes = heapUsed() - before;
  keepAlive(pool);
  return { poolBytes };
}

const kept: unknown[] = [];
function keepAlive(...values: unknown[]): void {
  kept.push(...values);
}

childMain(async ([task, a, b, c]) => {
  switch (task) {
    case 'offer-poll':
      return offerPoll(a as string, Number(b), c === 'touch');
    case 'remove':
      return removeCost(a as string, Number(b));
    case 'heap':
      return heapPerJob(a as string, Number(b));
    case 'heap-http':
      return heapPerHttpRequest(Number(a));
    case 'heap-pool':
      return heapOfPool(Number(a));
    default:
      throw new TypeError(`unknown task ${String(task)}`);
  }
});
