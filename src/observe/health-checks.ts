// HealthChecks: the `health` option, for whoever balances the load (nginx,
// Kubernetes, a cloud load balancer). Answered outside the pool, before the
// shutdown check, so they tell the truth while the pool is full and while
// the app drains:
//
//   liveness  (/livez)   200 while the process can answer at all
//   readiness (/readyz)  200, or 503 while the app drains (close() began, and
//                        for `shutdownDelayMs` before it stops accepting), and,
//                        with `notReadyWhileShedding`, while it sheds: its queue
//                        is full or it shed a request in the last second
//
// so a balancer stops sending before requests fail.

import type { HttpRequest, HttpResponse } from '../http/http-types';

/** `health: true` for `/livez` and `/readyz`, or choose the paths and what readiness means. */
export interface HealthOptions {
  /** The liveness path (default `/livez`). */
  livePath?: string;
  /** The readiness path (default `/readyz`). */
  readyPath?: string;
  /** Readiness also answers 503 while the app sheds (default false: only while it drains). */
  notReadyWhileShedding?: boolean;
  /**
   * How long `close()` answers readiness 503 while still serving everything
   * else as usual, before it stops accepting and drains, in ms: the time a
   * balancer needs to notice (its check interval × failures; default 0).
   */
  shutdownDelayMs?: number;
}

export type ResolvedHealth = Required<HealthOptions>;

/** What the checks ask of the app. */
export interface HealthSource {
  /** close() began. */
  readonly isClosing: boolean;
  /** The pool sheds now: its queue is full, or it shed within the last second. */
  isShedding(): boolean;
}

const ANSWERS = {
  live: JSON.stringify({ status: 'live' }),
  ready: JSON.stringify({ status: 'ready' }),
  draining: JSON.stringify({ status: 'draining' }),
  shedding: JSON.stringify({ status: 'shedding' }),
};

export class HealthChecks {
  private draining = false;

  constructor(
    private readonly options: ResolvedHealth,
    private readonly source: HealthSource,
  ) {}

  /** Readiness answers 503 from now on (close() has been asked for). */
  beginDraining(): void {
    this.draining = true;
  }

  /** Answers a health check at `path` (the URL without its query); true if it did. */
  serve(req: HttpRequest, res: HttpResponse, path: string): boolean {
    if (path === this.options.livePath) {
      send(req, res, 200, ANSWERS.live);
      return true;
    }
    if (path !== this.options.readyPath) return false;
    if (this.draining || this.source.isClosing) send(req, res, 503, ANSWERS.draining);
    else if (this.options.notReadyWhileShedding && this.source.isShedding()) send(req, res, 503, ANSWERS.shedding);
    else send(req, res, 200, ANSWERS.ready);
    return true;
  }
}

function send(req: HttpRequest, res: HttpResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Checks the `health` option. */
export function checkHealthOptions(value: unknown): ResolvedHealth | undefined {
  if (value === undefined || value === false) return undefined;
  const given = (value === true ? {} : value) as HealthOptions;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new TypeError('Option "health" must be true, false or { livePath, readyPath, notReadyWhileShedding }');
  }
  for (const key of Object.keys(given)) {
    if (!['livePath', 'readyPath', 'notReadyWhileShedding', 'shutdownDelayMs'].includes(key)) {
      throw new TypeError(`Unknown option "health.${key}"`);
    }
  }
  const resolved: ResolvedHealth = {
    livePath: given.livePath ?? '/livez',
    readyPath: given.readyPath ?? '/readyz',
    notReadyWhileShedding: given.notReadyWhileShedding ?? false,
    shutdownDelayMs: given.shutdownDelayMs ?? 0,
  };
  if (!Number.isSafeInteger(resolved.shutdownDelayMs) || resolved.shutdownDelayMs < 0) {
    throw new TypeError('Option "health.shutdownDelayMs" must be a whole number of milliseconds (0 or more)');
  }
  for (const key of ['livePath', 'readyPath'] as const) {
    const path = resolved[key];
    if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?') || path.length < 2) {
      throw new TypeError(`Option "health.${key}" must be a path starting with '/', got ${JSON.stringify(path)}`);
    }
  }
  if (resolved.livePath === resolved.readyPath)
    throw new TypeError('Options "health.livePath" and "health.readyPath" must differ');
  if (typeof resolved.notReadyWhileShedding !== 'boolean') {
    throw new TypeError('Option "health.notReadyWhileShedding" must be a boolean');
  }
  return resolved;
}
