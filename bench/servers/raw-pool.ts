// Reference: node:http plus httppool's WorkerPool and nothing else of the
// framework (no routing, no HttpJob, no decorators). The gap between this and
// node:http is what the pool itself costs; the gap between this and httppool
// is what the rest of the framework costs.

import 'reflect-metadata';
import { createServer, type ServerResponse } from 'node:http';
import { JobQueue, WorkerPool, type PoolJob } from 'httppool';
import { listenPlain, serve } from './serve';
import { HTML, SAMPLE_PAGE } from './work';

class PageJob implements PoolJob {
  queueEntry: PoolJob['queueEntry'] = undefined;
  constructor(
    private readonly pool: WorkerPool,
    private readonly res: ServerResponse,
  ) {}

  run(): void {
    this.res.setHeader('content-type', HTML);
    this.res.end(SAMPLE_PAGE);
    this.pool.release();
  }
}

serve(async (config) => {
  const pool = new WorkerPool(
    typeof config.workers === 'number' ? config.workers : 300,
    new JobQueue<PoolJob>(config.queueSize ?? 100),
  );
  const server = createServer((req, res) => {
    if (req.url !== '/test') {
      res.statusCode = 404;
      res.end();
    } else if (pool.submit(new PageJob(pool, res)) === 'rejected') {
      res.statusCode = 503;
      res.end();
    }
  });
  return listenPlain(server, () => pool.stats());
});
