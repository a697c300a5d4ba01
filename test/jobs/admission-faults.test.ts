// A pool that answers `submit` with something other than 'started', 'queued'
// or 'rejected' (a stub returning undefined, a pool that throws): the request
// is a 500 in the JSON error shape with one error line naming the pool, and
// the job leaves the live set, so close() does not wait for it.

import { expect } from 'chai';
import { container } from 'tsyringe';
import { Controller, Get, WorkerPool, type Admission, type PoolJob } from '../../src/index';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { appStarter } from '../helpers/start-app';
import { within } from '../helpers/wait-for';

let ran = 0;

@Controller('/admission')
class AdmissionController {
  @Get('/hello')
  hello(): string {
    ran++;
    return 'hello';
  }
}

/** A pool object with the methods the app calls, and the given `submit`. */
function fakePool(submit: (job: PoolJob) => Admission) {
  return {
    size: 1,
    submit,
    cancel: () => false,
    release: () => undefined,
    resize: () => undefined,
    stats: () => ({ workers: 1, busy: 0, idle: 1, queued: 0, completed: 0, rejected: 0 }),
  };
}

const faults: Array<{ name: string; submit: (job: PoolJob) => Admission; logged: Record<string, unknown> }> = [
  {
    name: 'returns undefined (a bare stub)',
    submit: () => undefined as unknown as Admission,
    logged: { admission: 'undefined' },
  },
  {
    name: 'returns a value of its own',
    submit: () => 'accepted' as Admission,
    logged: { admission: 'accepted' },
  },
  {
    name: 'throws',
    submit: () => {
      throw new Error('the fake pool broke');
    },
    logged: {},
  },
];

describe('an unexpected admission answer from the pool', () => {
  const startApp = appStarter();

  beforeEach(() => {
    ran = 0;
  });

  for (const fault of faults) {
    it(`a pool whose submit ${fault.name}: 500 in the JSON shape, one error line naming the pool, no leak`, async () => {
      const logs = captureLogs('debug');
      const callerContainer = container.createChildContainer();
      callerContainer.register(WorkerPool, { useValue: fakePool(fault.submit) as unknown as WorkerPool });
      const { app, url } = await startApp({
        controllers: [AdmissionController],
        container: callerContainer,
        logger: logs.logger,
        // Without a fix the job would sit in the live set until this passes.
        queueTimeoutMs: 0,
      });

      const response = await within(fetch(`${url}/admission/hello`), 'the answer');
      expect(response.status).to.equal(500);
      expect(response.headers.get('content-type')).to.match(/^application\/json/);
      expect(await response.json()).to.deep.equal({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal Server Error',
      });
      expect(ran).to.equal(0);

      const errors = logs.lines.filter((line) => line.level === LEVELS.error);
      expect(errors).to.have.lengthOf(1);
      expect(errors[0]).to.include({ pool: 'Object', route: 'AdmissionController.hello', ...fault.logged });
      expect(errors[0]?.msg).to.match(/pool/i);
      expect(errors[0]?.reqId).to.equal(response.headers.get('x-request-id'));
      if (fault.name === 'throws')
        expect((errors[0]?.err as { message: string }).message).to.equal('the fake pool broke');
      expect(app.stats().responses).to.deep.include({ 500: 1 });

      // The app keeps serving (the same answer), and nothing is left for close() to wait for.
      expect((await within(fetch(`${url}/admission/hello`), 'a second answer')).status).to.equal(500);
      await within(app.close(), 'app.close()', 1000);
    });
  }
});
