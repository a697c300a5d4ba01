// What the app takes from the caller's container: a registered WorkerPool is
// checked and named; a registered JobQueue stays the caller's.

import { expect } from 'chai';
import { container } from 'tsyringe';
import { Controller, Get, HttpPoolApp, InvalidProviderError, JobQueue, WorkerPool, type PoolJob } from '../src/index';
import { captureLogs } from './helpers/capture-logs';

@Controller()
class QueueUserController {
  constructor(readonly queue: JobQueue<PoolJob>) {}

  @Get('/hello')
  hello() {
    return { hello: true };
  }
}

describe('the app container and what the caller registers', () => {
  const apps: HttpPoolApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  const bootstrap = async (options: Parameters<typeof HttpPoolApp.bootstrap>[0]) => {
    const app = await HttpPoolApp.bootstrap({ logger: false, controllers: [QueueUserController], ...options });
    apps.push(app);
    return app;
  };
  const scopeWith = (pool: unknown) => {
    const scope = container.createChildContainer();
    scope.register(WorkerPool, { useValue: pool as WorkerPool });
    return scope;
  };

  it('refuses at bootstrap a registered pool without the methods the app calls, naming them', async () => {
    let error: unknown;
    try {
      await bootstrap({ container: scopeWith({ submit: () => 'started' }) });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(InvalidProviderError);
    expect((error as Error).message)
      .to.include('cancel(), release(), stats()')
      .and.not.include('submit()');
  });

  it('refuses a registered pool whose size contradicts workers or queueSize', async () => {
    const pool = new WorkerPool(4, new JobQueue<PoolJob>(10));
    let workersError: unknown;
    await bootstrap({ container: scopeWith(pool), workers: 8 }).catch((caught: unknown) => (workersError = caught));
    expect(workersError).to.be.instanceOf(InvalidProviderError);
    expect((workersError as Error).message).to.match(/"workers" is 8.*has 4 workers/);
    let queueError: unknown;
    await bootstrap({ container: scopeWith(pool), queueSize: 3 }).catch((caught: unknown) => (queueError = caught));
    expect(queueError).to.be.instanceOf(InvalidProviderError);
    expect((queueError as Error).message).to.match(/"queueSize" is 3.*up to 10/);
  });

  it('takes a registered pool that agrees with the options, and says so in a log line', async () => {
    const pool = new WorkerPool(4, new JobQueue<PoolJob>(10));
    const { logger, lines } = captureLogs('info');
    const app = await bootstrap({ container: scopeWith(pool), workers: 4, queueSize: 10, logger });
    expect(app.pool).to.equal(pool);
    expect(app.queue).to.equal(pool.queue);
    const line = lines.find((entry) => /WorkerPool registered in the caller's container/.test(entry.msg));
    expect(line).to.include({ workers: 4, queueSize: 10, pool: 'WorkerPool' });
  });

  it("leaves a registered JobQueue to the caller: controllers get it, the app's requests do not wait in it", async () => {
    const theirs = new JobQueue<PoolJob>(1);
    // Full of the caller's own work: if the app queued behind it, it would shed.
    theirs.offer({ run: () => undefined });
    const scope = container.createChildContainer();
    scope.register(JobQueue, { useValue: theirs });
    const app = await bootstrap({ container: scope, workers: 1, queueSize: 5 });
    expect(app.get(QueueUserController).queue).to.equal(theirs);
    expect(app.queue).to.not.equal(theirs);
    expect(app.queue.maxSize).to.equal(5);
    const answers = await Promise.all([app.inject('/hello'), app.inject('/hello'), app.inject('/hello')]);
    expect(answers.map((answer) => answer.statusCode)).to.deep.equal([200, 200, 200]);
    expect(theirs.size).to.equal(1);
  });
});
