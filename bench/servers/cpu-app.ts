// The httppool app of the cpu scenario: a CPU-bound /cpu route, inline on
// the event loop or on `threads` worker threads, and a /ping beside it.
// httppool-threads serves it in one process, httppool-cluster in several.

import 'reflect-metadata';
import path from 'node:path';
import { Controller, Get, HttpPoolApp, ThreadPool, type HttpRequest, type HttpResponse } from 'httppool';
import { cpuWork } from './cpu-work';

const CPU_TASK = path.join(__dirname, 'cpu.task.js');

export async function startCpuApp(threads: number): Promise<HttpPoolApp> {
  const threaded = threads > 0;

  @Controller()
  class CpuController {
    constructor(private readonly pool: ThreadPool) {}

    @Get('/cpu')
    cpu(res: HttpResponse, req: HttpRequest) {
      return threaded ? this.pool.handle(req, res, CPU_TASK) : cpuWork();
    }

    @Get('/ping')
    ping() {
      return 'pong';
    }
  }

  const app = await HttpPoolApp.bootstrap({
    controllers: [CpuController],
    workers: 100,
    queueSize: 1000,
    logger: false,
    threads: threaded ? threads : { count: 1, idleTimeoutMs: 0 },
  });
  await app.listen(0, '127.0.0.1');
  return app;
}
