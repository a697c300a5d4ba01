// Dependency injection over HTTP: constructor injection by type, the per-app
// pool and queue, a caller's container with a fake pool, and apps kept apart.

import { expect } from 'chai';
import {
  Controller,
  Get,
  JobQueue,
  WorkerPool,
  type Admission,
  type HttpRequest,
  type HttpResponse,
  type PoolJob,
} from '../src/index';
import { container, injectable } from 'tsyringe';
import { appStarter } from './helpers/start-app';

@injectable()
class GreetingService {
  greet(name: string): string {
    return `hello, ${name}`;
  }
}

@Controller('/greet')
class GreetingController {
  constructor(private readonly greetings: GreetingService) {}

  @Get('/:name')
  greet(_res: HttpResponse, req: HttpRequest) {
    return { text: this.greetings.greet(req.params.name as string) };
  }
}

/** Every PoolController the containers built, newest last. */
const poolControllers: PoolController[] = [];

@Controller('/pool')
class PoolController {
  constructor(
    readonly pool: WorkerPool,
    readonly queue: JobQueue<PoolJob>,
  ) {
    poolControllers.push(this);
  }

  @Get('/stats')
  stats() {
    return { workers: this.pool.stats().workers, queueMax: this.queue.maxSize };
  }
}

@Controller('/only-a')
class OnlyAController {
  @Get('')
  hello() {
    return { app: 'a' };
  }
}

@Controller('/only-b')
class OnlyBController {
  @Get('')
  hello() {
    return { app: 'b' };
  }
}

/** A real pool that records what the dispatcher submits to it. */
class RecordingPool extends WorkerPool {
  readonly submitted: PoolJob[] = [];

  override submit(job: PoolJob): Admission {
    this.submitted.push(job);
    return super.submit(job);
  }
}

describe('dependency injection over HTTP', () => {
  const startApp = appStarter();

  it('injects a user @injectable() service into a controller constructor by type', async () => {
    const { url } = await startApp({ controllers: [GreetingController] });
    const response = await fetch(`${url}/greet/ann`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ text: 'hello, ann' });
  });

  it('injects the app’s own WorkerPool and JobQueue: the same instances as app.pool and app.queue', async () => {
    const { app, url } = await startApp({ controllers: [PoolController], workers: 7, queueSize: 3 });
    const controller = poolControllers.at(-1) as PoolController;
    expect(controller.pool).to.equal(app.pool);
    expect(controller.queue).to.equal(app.queue);
    expect(app.container.resolve(WorkerPool)).to.equal(app.pool);
    expect(app.container.resolve(JobQueue)).to.equal(app.queue);

    const response = await fetch(`${url}/pool/stats`);
    expect(await response.json()).to.deep.equal({ workers: 7, queueMax: 3 });
  });

  it('uses a WorkerPool registered in the caller’s container: the dispatcher submits to it', async () => {
    const callerContainer = container.createChildContainer();
    const queue = new JobQueue<PoolJob>(5);
    const fake = new RecordingPool(2, queue);
    callerContainer.register(JobQueue, { useValue: queue });
    callerContainer.register(WorkerPool, { useValue: fake });

    const { app, url } = await startApp({ controllers: [GreetingController], container: callerContainer });
    expect(app.pool).to.equal(fake);
    expect(app.queue).to.equal(queue);

    const response = await fetch(`${url}/greet/bob`);
    expect(await response.json()).to.deep.equal({ text: 'hello, bob' });
    expect(fake.submitted).to.have.lengthOf(1);
    expect(fake.stats()).to.include({ busy: 0, completed: 1 });
    // The registration stayed in the caller's container.
    expect(container.isRegistered(WorkerPool)).to.equal(false);
  });

  it('uses a fake pool object from the caller’s container: one that sheds everything answers 503', async () => {
    const submitted: PoolJob[] = [];
    const fake = {
      size: 1,
      submit(job: PoolJob): Admission {
        submitted.push(job);
        return 'rejected';
      },
      cancel: () => false,
      release: () => undefined,
      resize: () => undefined,
      stats: () => ({ workers: 1, busy: 0, idle: 1, queued: 0, completed: 0, rejected: submitted.length }),
    };
    const callerContainer = container.createChildContainer();
    callerContainer.register(WorkerPool, { useValue: fake as unknown as WorkerPool });

    const { url } = await startApp({ controllers: [GreetingController], container: callerContainer });
    const response = await fetch(`${url}/greet/cy`);
    expect(response.status).to.equal(503);
    expect(response.headers.get('retry-after')).to.equal('1');
    expect(await response.json()).to.include({ statusCode: 503, error: 'Service Unavailable' });
    expect(submitted).to.have.lengthOf(1);
  });

  it('keeps two apps in one process apart: pools, queues, containers and routes', async () => {
    const a = await startApp({ controllers: [OnlyAController, PoolController], workers: 2 });
    const controllerA = poolControllers.at(-1) as PoolController;
    const b = await startApp({ controllers: [OnlyBController, PoolController], workers: 5 });
    const controllerB = poolControllers.at(-1) as PoolController;

    expect(a.app.pool).to.not.equal(b.app.pool);
    expect(a.app.queue).to.not.equal(b.app.queue);
    expect(a.app.container).to.not.equal(b.app.container);
    expect(controllerA).to.not.equal(controllerB);
    expect(controllerA.pool).to.equal(a.app.pool);
    expect(controllerB.pool).to.equal(b.app.pool);

    expect(await (await fetch(`${a.url}/only-a`)).json()).to.deep.equal({ app: 'a' });
    expect(await (await fetch(`${b.url}/only-b`)).json()).to.deep.equal({ app: 'b' });
    const aOnB = await fetch(`${b.url}/only-a`);
    expect(aOnB.status).to.equal(404);
    await aOnB.body?.cancel();
    const bOnA = await fetch(`${a.url}/only-b`);
    expect(bOnA.status).to.equal(404);
    await bOnA.body?.cancel();

    expect(await (await fetch(`${a.url}/pool/stats`)).json()).to.include({ workers: 2 });
    expect(await (await fetch(`${b.url}/pool/stats`)).json()).to.include({ workers: 5 });
  });
});
