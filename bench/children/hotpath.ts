// The steps on httppool's per-request path, each timed alone (ns per
// operation), so the profile's suggestions come with a price per step.
// These are node and V8 facts measured with the same primitives src/ uses
// (Set, EventEmitter listeners on a real ServerResponse, find-my-way,
// performance.now(), closures, properties added to an IncomingMessage);
// it does not import httppool's internals, which are changing under us.
//   hotpath            → { steps: [{ step, ns, note }] }

import FindMyWay from 'find-my-way';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { childMain } from '../lib/fork-child';
import { median } from '../lib/stats';

interface Step {
  step: string;
  ns: number;
  note: string;
}

let sink: unknown;

/** ns per call of `op`, median of 7 timed batches after a warm-up. */
function time(op: (i: number) => void, iterations = 200_000): number {
  return timeAlternating([op], iterations, 7)[0] as number;
}

/** ns per call of each op, timed in turn (so drift hits them alike): medians of `rounds` rounds after a warm-up. */
function timeAlternating(ops: ReadonlyArray<(i: number) => void>, iterations = 20_000, rounds = 15): number[] {
  for (const op of ops) for (let i = 0; i < iterations; i++) op(i);
  const samples = ops.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    ops.forEach((op, index) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) op(i);
      samples[index]?.push(Number(process.hrtime.bigint() - t0) / iterations);
    });
  }
  return samples.map(median);
}

class JobWithClosure {
  queueEntry: unknown = undefined;
  deadline = 0;
  deadlineEntry: unknown = undefined;
  endedEarly = false;
  state = 0;
  readonly complete: (error?: unknown) => void;
  constructor(
    readonly host: object,
    readonly route: object,
    readonly req: object,
    readonly res: object,
  ) {
    this.complete = (error?: unknown) => {
      if (error === undefined) this.state = 2;
    };
  }
}

class JobWithoutClosure {
  queueEntry: unknown = undefined;
  deadline = 0;
  deadlineEntry: unknown = undefined;
  endedEarly = false;
  state = 0;
  constructor(
    readonly host: object,
    readonly route: object,
    readonly req: object,
    readonly res: object,
  ) {}
}

class DeclaredRequest extends IncomingMessage {
  // The fields httppool adds to every request, declared up front: one hidden class, in-object.
  params: unknown = undefined;
  query: unknown = undefined;
  logger: unknown = undefined;
  bodyLimit = 0;
  bodyListener: unknown = undefined;
}

const kLogger = Symbol('logger');
const kBodyLimit = Symbol('bodyLimit');
const kBodyListener = Symbol('bodyListener');
const kJob = Symbol('job');

function noop(): void {}

function measure(): Step[] {
  const steps: Step[] = [];
  const add = (step: string, ns: number, note: string): void => void steps.push({ step, ns, note });
  const socket = new Socket();
  const host = {};
  const route = {};

  // Allocation of the job, with and without the per-job `complete` closure.
  add(
    'new HttpJob-shaped object + `complete` closure',
    time(() => (sink = new JobWithClosure(host, route, host, host))),
    'what HttpJob allocates now',
  );
  add(
    'new HttpJob-shaped object, no closure',
    time(() => (sink = new JobWithoutClosure(host, route, host, host))),
    'complete as a lazily bound or shared function',
  );

  // A Set of live jobs, ~100 live (hello at 100 connections): what the
  // dispatcher kept before JobSupervisor's Deadlines (linked lists) held them.
  const live = new Set<object>();
  for (let i = 0; i < 100; i++) live.add({});
  const jobs = Array.from({ length: 1024 }, () => ({}));
  add(
    'Set.add + Set.delete (100 live)',
    time((i) => {
      const job = jobs[i & 1023] as object;
      live.add(job);
      live.delete(job);
    }),
    "JobSupervisor's Deadlines hold the live jobs instead: each job's own list node, no allocation",
  );

  // Listeners on a fresh ServerResponse each time (as per request).
  const reqs = Array.from({ length: 256 }, () => new IncomingMessage(socket));
  const fresh = (i: number): ServerResponse => new ServerResponse(reqs[i & 255] as IncomingMessage);
  const baseRes = time((i) => (sink = fresh(i)), 50_000);
  add('new ServerResponse (baseline for the rows below)', baseRes, 'node does this for every request anyway');
  add(
    '+ res.once("close", fn)',
    time((i) => {
      const res = fresh(i);
      res.once('close', noop);
      sink = res;
    }, 50_000) - baseRes,
    'once() allocates a wrapper and its state',
  );
  add(
    '+ res.on("close", fn)',
    time((i) => {
      const res = fresh(i);
      res.on('close', noop);
      sink = res;
    }, 50_000) - baseRes,
    'a response closes once: on() is enough',
  );
  add(
    '+ res.once("close") + res.on("error")',
    time((i) => {
      const res = fresh(i);
      res.once('close', noop);
      res.on('error', noop);
      sink = res;
    }, 50_000) - baseRes,
    'what admit() added before PoolResponse',
  );
  add(
    '+ res[kJob] = job (a new property on the response)',
    time((i) => {
      const res = fresh(i) as unknown as Record<symbol, unknown>;
      res[kJob] = host;
      sink = res;
    }, 50_000) - baseRes,
    'PoolResponse (a ServerResponse subclass) avoids this and the listeners',
  );

  // Properties added to the request after node made it.
  const baseReq = time(() => (sink = new IncomingMessage(socket)), 50_000);
  add('new IncomingMessage (baseline)', baseReq, '');
  add(
    '+ 5 properties added afterwards (params, query, 3 symbols)',
    time(() => {
      const req = new IncomingMessage(socket) as unknown as Record<string | symbol, unknown>;
      req[kLogger] = host;
      req[kBodyLimit] = 1;
      req[kBodyListener] = host;
      req.params = host;
      req.query = host;
      sink = req;
    }, 50_000) - baseReq,
    'adoptRequest (logger), limitBody (limit), holdBodyOverflow (listener) and dispatch (params, query)',
  );
  add(
    '+ the same 5 fields declared on a subclass',
    time(() => {
      const req = new DeclaredRequest(socket);
      req.logger = host;
      req.bodyLimit = 1;
      req.bodyListener = host;
      req.params = host;
      req.query = host;
      sink = req;
    }, 50_000) - baseReq,
    'PoolRequest declaring them as class fields',
  );
  const message = new IncomingMessage(socket);
  add(
    'req instanceof PoolRequest-like class',
    time(() => (sink = message instanceof DeclaredRequest)),
    'adoptRequest: negligible',
  );

  // Routing.
  const router = FindMyWay();
  router.on('GET', '/test', noop);
  router.on('GET', '/api/users/:id', noop);
  add(
    'find-my-way find(GET, /test)',
    time(() => (sink = router.find('GET', '/test'))),
    'static route',
  );
  add(
    'find-my-way find(GET, /api/users/1)',
    time(() => (sink = router.find('GET', '/api/users/1'))),
    'parametric route',
  );
  const statics = new Map([['GET /test', route]]);
  add(
    'Map.get of a static `METHOD path` key',
    time(() => (sink = statics.get('GET /test'))),
    'a static-route fast path before find-my-way',
  );
  add(
    'RouteMatch object literal',
    time(() => (sink = { kind: 'found', route, params: host, query: host })),
    'allocation only; escapes into req',
  );

  // Request ids and the header that carries them.
  add(
    'randomUUID()',
    time(() => (sink = randomUUID())),
    'the request id before the counter ids',
  );
  let seq = 0;
  const prefix = randomUUID().slice(0, 8);
  add(
    'prefix + counter id',
    time(() => (sink = `${prefix}-${(++seq).toString(36)}`)),
    'unique per process, as fastify does (req-1, req-2 …)',
  );
  const ids = Array.from({ length: 256 }, () => randomUUID());
  add(
    '+ res.setHeader("x-request-id", id)',
    time((i) => {
      const res = fresh(i);
      res.setHeader('x-request-id', ids[i & 255] as string);
      sink = res;
    }, 50_000) - baseRes,
    'validates name and value on every call',
  );
  // The same header written out (writeHead builds the header block), with an
  // id made per request as httppool makes one: 12 characters, which V8 copies
  // into one flat string, against 14, which it leaves a rope for node's
  // header check to flatten. Timed in alternation: the difference is smaller
  // than this machine's drift between two consecutive timings.
  seq = 36 ** 4; // five base-36 digits from here on
  const withId = (prefix: string) => (i: number) => {
    const res = fresh(i);
    res.setHeader('x-request-id', prefix + (++seq).toString(36));
    res.writeHead(200);
    sink = res;
  };
  const [flatId, ropeId, noId] = timeAlternating([
    withId('k3j9x0-'),
    withId(`${prefix}-`),
    (i) => {
      const res = fresh(i);
      res.writeHead(200);
      sink = res;
    },
  ]) as [number, number, number];
  add('+ x-request-id set and written, 12-character id', flatId - noId, 'what RequestIds makes: one flat string');
  add('+ x-request-id set and written, 14-character id', ropeId - noId, 'a rope: node flattens it to check it');

  // Errors: what building the 503's error costs.
  class ShedError extends Error {}
  add(
    'new Error subclass (stack captured)',
    time(() => (sink = new ShedError('Server is at capacity'))),
    'a shed request, before the 503 was prebuilt',
  );
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  add(
    'new Error subclass, stackTraceLimit = 0',
    time(() => (sink = new ShedError('Server is at capacity'))),
    'no stack for an expected answer',
  );
  Error.stackTraceLimit = limit;
  const body = { statusCode: 503, error: 'Service Unavailable', message: 'Server is at capacity, try again later' };
  add(
    'JSON.stringify(503 body)',
    time(() => (sink = JSON.stringify(body))),
    'a constant: serialise once',
  );

  // Deadlines: one reading of the clock, a list node per watched job.
  add(
    'performance.now()',
    time(() => (sink = performance.now())),
    'Deadlines.watch reads it per job',
  );
  add(
    'Date.now()',
    time(() => (sink = Date.now())),
    'a coarser clock is enough for 20 ms sweeps',
  );
  return steps;
}

childMain(() => ({ steps: measure(), sink: typeof sink }));
