// A guarded route: GET /admin/pool with `x-admin-token: demo` shows the pool
// and resizes it with ?workers=N; without the token, 401; with a wrong one, 403.

import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Controller, Get, UseGuards, WorkerPool, type HttpRequest, type HttpResponse } from 'httppool';
import { AdminTokenGuard } from './admin-token.guard';

class ResizeQuery {
  @IsOptional() @IsInt() @Min(1) @Max(10_000) workers?: number;
}

@Controller('/admin')
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(private readonly pool: WorkerPool) {}

  @Get('/pool', { query: ResizeQuery })
  poolStats(_res: HttpResponse, req: HttpRequest<unknown, ResizeQuery>) {
    if (req.query.workers !== undefined) this.pool.resize(req.query.workers);
    return this.pool.stats();
  }
}
