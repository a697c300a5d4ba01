// Built-in logging: request ids, one access line per request, levels that
// match what happened, and req.log carrying the id. Lines are captured through
// a pino destination stream and asserted one by one.

import { expect } from 'chai';
import { Controller, Get, type HttpRequest, type HttpResponse } from '../../src/index';
import { captureLogs, LEVELS, type LogLine } from '../helpers/capture-logs';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { inFlight, waitFor } from '../helpers/wait-for';

let gate: Deferred<void> = deferred();

@Controller('/api')
class LoggedController {
  @Get('/hello/:name')
  hello(_res: HttpResponse, req: HttpRequest): { hello: string } {
    req.log.info({ name: req.params.name }, 'saying hello');
    return { hello: req.params.name as string };
  }

  @Get('/hold')
  async hold(): Promise<string> {
    await gate.promise;
    return 'held';
  }

  @Get('/boom')
  boom(): never {
    throw new Error('boom');
  }
}

describe('logging', () => {
  const startApp = appStarter({ beforeClose: () => gate.resolve() });
  beforeEach(() => {
    gate = deferred();
  });

  /** An app of one worker and one queue place, both taken by /api/hold requests that wait for the gate. */
  async function fullPool() {
    const logs = captureLogs('info');
    const { app, url } = await startApp({
      controllers: [LoggedController],
      workers: 1,
      queueSize: 1,
      logger: logs.logger,
    });
    const running = inFlight(fetch(`${url}/api/hold`));
    await waitFor(() => app.pool.stats().busy === 1, 'the worker busy');
    const queued = inFlight(fetch(`${url}/api/hold`));
    await waitFor(() => app.pool.stats().queued === 1, 'the queue full');
    return { logs, app, url, running, queued };
  }

  function accessLines(lines: LogLine[]): LogLine[] {
    return lines.filter((line) => line.msg === 'request');
  }

  it('writes one access line per request with method, url, route, status, times and request id', async () => {
    const logs = captureLogs('info');
    const { url } = await startApp({ controllers: [LoggedController], logger: logs.logger });
    const response = await fetch(`${url}/api/hello/ada?x=1`, { headers: { 'x-request-id': 'trace-42' } });
    expect(response.headers.get('x-request-id')).to.equal('trace-42');
    await waitFor(() => accessLines(logs.lines).length === 1, 'the access line');
    const [line] = accessLines(logs.lines);
    expect(line).to.include({
      level: LEVELS.info,
      reqId: 'trace-42',
      method: 'GET',
      url: '/api/hello/ada?x=1',
      route: '/api/hello/:name',
      status: 200,
    });
    for (const field of ['ms', 'queueMs', 'runMs']) expect(line?.[field], field).to.be.a('number').at.least(0);
    expect(line?.ms as number).to.be.at.least(line?.runMs as number);
  });

  it('req.log is a child logger carrying the request id', async () => {
    const logs = captureLogs('info');
    const { url } = await startApp({ controllers: [LoggedController], logger: logs.logger });
    const response = await fetch(`${url}/api/hello/bob`);
    const id = response.headers.get('x-request-id');
    expect(id).to.be.a('string').with.length.greaterThan(0);
    const line = logs.lines.find((l) => l.msg === 'saying hello');
    expect(line).to.include({ reqId: id, name: 'bob' });
  });

  it('logs 404s with the (unmatched) route, and still echoes the request id', async () => {
    const logs = captureLogs('info');
    const { url } = await startApp({ controllers: [LoggedController], logger: logs.logger });
    const response = await fetch(`${url}/nowhere`);
    expect(response.status).to.equal(404);
    expect(response.headers.get('x-request-id')).to.be.a('string');
    const [line] = accessLines(logs.lines);
    expect(line).to.include({ level: LEVELS.info, route: '(unmatched)', status: 404 });
    expect(line).not.to.have.property('runMs');
  });

  it('logs a shed 503 at warn, with no run time', async () => {
    const { logs, url, running, queued } = await fullPool();
    expect((await fetch(`${url}/api/hold`)).status).to.equal(503);
    gate.resolve();
    await Promise.all([running, queued]);
    await waitFor(() => accessLines(logs.lines).length === 3, 'three access lines');
    const shed = accessLines(logs.lines).find((line) => line.status === 503);
    expect(shed).to.include({ level: LEVELS.warn, route: '/api/hold' });
    expect(shed).not.to.have.property('runMs');
    const served = accessLines(logs.lines).filter((line) => line.status === 200);
    expect(served).to.have.length(2);
    // The second one waited in the queue for the first to finish.
    expect(Math.max(...served.map((line) => line.queueMs as number))).to.be.greaterThan(0);
  });

  it('under a flood of sheds, writes 10 shed access lines a second, one line for the rest, and one each as shedding begins and ends', async function () {
    this.timeout(6000); // overload ends a quiet second after the last shed
    const { logs, app, url, running, queued } = await fullPool();
    const statuses = await Promise.all(Array.from({ length: 60 }, async () => (await fetch(`${url}/api/hold`)).status));
    expect(statuses.filter((status) => status === 503)).to.have.length(60);
    expect(app.stats().shed.queue_full).to.equal(60);
    gate.resolve();
    await Promise.all([running, queued]);
    await waitFor(
      () => logs.lines.some((line) => line.msg === 'overload: shedding ended'),
      'the end of overload',
      3000,
    );
    const shedLines = accessLines(logs.lines).filter((line) => line.status === 503);
    expect(shedLines.length).to.be.at.least(10).and.at.most(20); // the 60 came within one or two seconds
    const leftOut = logs.lines.filter((line) => typeof line.suppressed === 'number');
    expect(shedLines.length + leftOut.reduce((sum, line) => sum + (line.suppressed as number), 0)).to.equal(60);
    expect(logs.lines.filter((line) => line.msg === 'overload: shedding began')).to.have.length(1);
    expect(logs.lines.find((line) => line.msg === 'overload: shedding ended')).to.include({ shed: 60 });
  });

  it('logs a 500 at error with the stack, and its access line at info', async () => {
    const logs = captureLogs('info');
    const { url } = await startApp({ controllers: [LoggedController], logger: logs.logger });
    expect((await fetch(`${url}/api/boom`)).status).to.equal(500);
    await waitFor(() => accessLines(logs.lines).length === 1, 'the access line');
    const failure = logs.lines.find((line) => line.msg === 'handler failed');
    expect(failure?.level).to.equal(LEVELS.error);
    expect((failure?.err as { stack: string }).stack).to.contain('Error: boom');
    expect(accessLines(logs.lines)[0]).to.include({ level: LEVELS.info, status: 500 });
  });
});
