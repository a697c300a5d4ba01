// httppool with a CPU-bound route, inline on the event loop or on worker
// threads (config.threads), and a /ping beside it.

import 'reflect-metadata';
import path from 'node:path';
import { Controller, Get, HttpPoolApp, ThreadPool, type HttpRequest, type HttpResponse } from 'httppool';
import { cpuWork } from './cpu-work';
import { serve } from './serve';

const CPU_TASK = path.join(__dirname, 'cpu.task.js');

serve(async (config) => {
  const threaded = (config.threads ?? 0) > 0;

  @Controller()
  class CpuController {
    constructor(private readonly threads: ThreadPool) {}

    @Get('/cpu')
    cpu(res: HttpResponse, req: HttpRequest) {
      return threaded ? this.threads.handle(req, res, CPU_TASK) : cpuWork();
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
    threads: threaded ? config.threads : { count: 1, idleTimeoutMs: 0 },
  });
  const address = await app.listen(0, '127.0.0.1');
  return { address, close: () => app.close(), stats: () => app.stats() };
});
