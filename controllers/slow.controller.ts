// A slow route to watch queueing and shedding under load, and the pool's figures.

import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get, HttpError, WorkerPool, type HttpRequest, type HttpResponse, type PoolStats } from 'httppool';

const MAX_SLEEP_MS = 10_000;

@Controller()
export class SlowController {
  constructor(private readonly pool: WorkerPool) {}

  /** `GET /slow?ms=50`: holds a worker for `ms` milliseconds, then answers. */
  @Get('/slow')
  async slow(_res: HttpResponse, req: HttpRequest): Promise<{ sleptMs: number }> {
    const ms = Number(req.query.ms ?? 50);
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_SLEEP_MS) {
      throw new HttpError(400, `ms must be an integer from 0 to ${MAX_SLEEP_MS}`);
    }
    await sleep(ms, undefined, { signal: req.signal });
    return { sleptMs: ms };
  }

  /** `GET /stats`: the pool and queue, as they are now. */
  @Get('/stats')
  stats(): PoolStats {
    return this.pool.stats();
  }
}
