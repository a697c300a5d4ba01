// CPU-bound work, two ways: GET /cpu?ms=5 on a worker thread (the event loop
// stays free), GET /cpu-inline?ms=5 on the main thread (every other request
// waits behind it); GET /ping answers at once, to feel the difference.

import path from 'node:path';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Controller, Get, ThreadPool, type HttpRequest, type HttpResponse } from 'httppool';
import { MAX_SPIN_MS, spin } from './spin';

const CPU_TASK = path.join(__dirname, 'cpu.task.js');

class CpuQuery {
  @IsOptional() @IsInt() @Min(0) @Max(MAX_SPIN_MS) ms: number = 5;
}

@Controller()
export class CpuController {
  constructor(private readonly threads: ThreadPool) {}

  @Get('/cpu', { query: CpuQuery })
  cpu(res: HttpResponse, req: HttpRequest<unknown, CpuQuery>) {
    return this.threads.handle(req, res, CPU_TASK);
  }

  @Get('/cpu-inline', { query: CpuQuery })
  cpuInline(_res: HttpResponse, req: HttpRequest<unknown, CpuQuery>) {
    return spin(req.query.ms);
  }

  @Get('/ping')
  ping() {
    return 'pong';
  }
}
