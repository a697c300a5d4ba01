// ThreadPool: worker threads for CPU-bound work, on piscina. A controller
// injects it and hands a request's work to a thread from its handler:
//
//   @Get('/hash/:word')
//   hash(res: HttpResponse, req: HttpRequest) {
//     return this.threads.handle(req, res, HASH_TASK); // HASH_TASK: the task module's absolute path
//   }
//
// The request is still a job of the pool: admitted, queued, shed (503) and
// timed like any other, and its worker is held while the thread works. A
// deadline or a client that leaves aborts the request's signal, which
// cancels the thread task (piscina replaces that thread); a throw in the
// thread, or a thread that dies, is the handler's failure: a 500, logged
// with its stack and request id, and the service goes on.

import { STATUS_CODES } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type Piscina from 'piscina';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import { HttpError } from '../errors';
import type { ThreadAnswer, ThreadHttpError, ThreadRequest, ThreadRun } from './thread-task';

/** The `threads` option: how many threads (default `os.availableParallelism()`). */
export interface ThreadsOptions {
  count?: number;
  /** How long an idle thread lives before it ends, in ms (default: forever, threads are made at start). */
  idleTimeoutMs?: number;
}

export interface ResolvedThreads {
  count: number;
  idleTimeoutMs: number;
}

/** A task: its module's absolute path (or file URL), or `{ module, name }` for a named export. */
export type ThreadTaskRef = string | { module: string; name?: string };

export interface ThreadStats {
  /** The pool's size. */
  threads: number;
  /** Threads running a task now. */
  busyThreads: number;
  /** Tasks waiting for a thread. */
  queuedTasks: number;
  /** Tasks finished since start. */
  completedTasks: number;
  /** Median and 99th percentile run time of the tasks, in ms. */
  taskMsP50: number;
  taskMsP99: number;
}

export class ThreadPool {
  private readonly piscina: Piscina;

  constructor(readonly options: ResolvedThreads) {
    // piscina loads only for an app that turns threads on.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Piscina: Pool } = require('piscina') as typeof import('piscina');
    this.piscina = new Pool({
      filename: path.join(__dirname, 'thread-entry.js'),
      minThreads: options.idleTimeoutMs === Number.POSITIVE_INFINITY ? options.count : 0,
      maxThreads: options.count,
      idleTimeout: options.idleTimeoutMs === Number.POSITIVE_INFINITY ? 2 ** 31 - 1 : options.idleTimeoutMs,
    });
  }

  /**
   * Runs `task` on a thread with the request's snapshot, sets the answer's
   * status and headers on `res`, and resolves with its body (to return from
   * the handler). Rejects, and cancels the task, when `req.signal` aborts.
   */
  async handle(req: HttpRequest<unknown, object, object>, res: HttpResponse, task: ThreadTaskRef): Promise<unknown> {
    const answer = await this.run(task, snapshot(req), req.signal);
    const thrown = (answer as Partial<ThreadHttpError>).httppoolThreadError;
    if (thrown !== undefined) {
      // Thrown in the thread with a status: answered as if thrown here.
      throw new HttpError(
        thrown.statusCode,
        thrown.expose ? thrown.message : (STATUS_CODES[thrown.statusCode] ?? 'Error'),
      );
    }
    if (answer.status !== undefined) res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
    return answer.body;
  }

  /** Runs `task` with any structured-clone-able request; the answer as the task returned it. */
  run(task: ThreadTaskRef, request: ThreadRequest, signal?: AbortSignal): Promise<ThreadAnswer> {
    const { module, name } = typeof task === 'string' ? { module: task, name: undefined } : task;
    if (!path.isAbsolute(module) && !module.startsWith('file:')) {
      return Promise.reject(new TypeError(`Thread task ${module}: give its absolute path (path.join(__dirname, …))`));
    }
    const run: ThreadRun = { module, name, request };
    return this.piscina.run(run, signal === undefined ? {} : { signal }) as Promise<ThreadAnswer>;
  }

  stats(): ThreadStats {
    const { runTime } = this.piscina.histogram;
    const threads = this.piscina.threads.length;
    return {
      threads: this.options.count,
      busyThreads: Math.max(0, threads - this.piscina.idleThreads),
      queuedTasks: this.piscina.queueSize,
      completedTasks: this.piscina.completed,
      taskMsP50: runTime.p50,
      taskMsP99: runTime.p99,
    };
  }

  /** Ends the threads (after the app has drained its jobs). */
  close(): Promise<void> {
    return this.piscina.destroy();
  }
}

function snapshot(req: HttpRequest<unknown, object, object>): ThreadRequest {
  return {
    id: req.id,
    method: req.method as string,
    url: req.url as string,
    params: { ...req.params },
    query: { ...req.query },
    headers: { ...req.headers },
    body: plain(req.body),
  };
}

// A validated class instance crosses as its own enumerable properties.
function plain(body: unknown): unknown {
  return body !== null && typeof body === 'object' && !ArrayBuffer.isView(body) && !Array.isArray(body)
    ? { ...(body as object) }
    : body;
}

/** Checks the `threads` option: `true`, a count, or `{ count, idleTimeoutMs }`. */
export function checkThreadsOptions(value: unknown): ResolvedThreads | undefined {
  if (value === undefined || value === false) return undefined;
  const given: ThreadsOptions =
    value === true ? {} : typeof value === 'number' ? { count: value } : (value as ThreadsOptions);
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new TypeError('Option "threads" must be true, a count, or { count, idleTimeoutMs }');
  }
  for (const key of Object.keys(given)) {
    if (key !== 'count' && key !== 'idleTimeoutMs') throw new TypeError(`Unknown option "threads.${key}"`);
  }
  const count = given.count ?? os.availableParallelism();
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`Option "threads" count must be a positive integer, got ${String(count)}`);
  }
  const idleTimeoutMs = given.idleTimeoutMs ?? Number.POSITIVE_INFINITY;
  if (idleTimeoutMs !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(idleTimeoutMs) || idleTimeoutMs < 0)) {
    throw new RangeError('Option "threads.idleTimeoutMs" must be a whole number of milliseconds');
  }
  return { count, idleTimeoutMs };
}
