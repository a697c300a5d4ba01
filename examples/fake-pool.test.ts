// Unit-testing a service built on httppool: swap the injected WorkerPool for a
// fake through a caller's container, and check what the dispatcher hands it.
// Runs with the test suite (`npm test`).

import 'reflect-metadata';
import { expect } from 'chai';
import { container } from 'tsyringe';
import {
  Controller,
  Get,
  HttpPoolApp,
  JobQueue,
  WorkerPool,
  type Admission,
  type HttpRequest,
  type HttpResponse,
  type PoolJob,
} from 'httppool';

@Controller()
class ReportController {
  @Get('/report/:id')
  report(_res: HttpResponse, req: HttpRequest): { id: string } {
    return { id: req.params.id as string };
  }
}

/** A pool that records what it is given and runs it at once, one at a time. */
class RecordingPool extends WorkerPool {
  readonly submitted: PoolJob[] = [];
  constructor() {
    super(1, new JobQueue<PoolJob>(1));
  }
  override submit(job: PoolJob): Admission {
    this.submitted.push(job);
    return super.submit(job);
  }
}

describe('example: a fake WorkerPool in a caller container', () => {
  let app: HttpPoolApp;
  const pool = new RecordingPool();

  before(async () => {
    const scope = container.createChildContainer();
    scope.register(WorkerPool, { useValue: pool });
    app = await HttpPoolApp.bootstrap({ controllers: [ReportController], container: scope, logger: false });
    await app.listen(0, '127.0.0.1');
  });
  after(() => app.close());

  it('runs requests through the injected pool', async () => {
    const { port } = app.server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/report/42`);
    expect(await response.json()).to.deep.equal({ id: '42' });
    expect(app.pool).to.equal(pool);
    expect(pool.submitted).to.have.length(1);
    expect(pool.stats()).to.include({ busy: 0, completed: 1 });
  });
});
