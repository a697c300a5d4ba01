// Errors from other libraries that carry an HTTP status (the http-errors
// convention: `statusCode` or `status`, `expose`) are answered with it, as
// fastify does; their message only when it is meant for the client.

import { expect } from 'chai';
import { STATUS_CODES } from 'node:http';
import { Controller, Get, type HttpRequest } from '../../src/index';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { appStarter } from '../helpers/start-app';
import { waitFor } from '../helpers/wait-for';

/** An error as http-errors makes it: `status` and `statusCode` both, `expose` for 4xx. */
function httpErrorsStyle(status: number, message: string, expose = status < 500): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose });
}

const THROWN: Record<string, () => unknown> = {
  'not-found': () => httpErrorsStyle(404, 'no such user'),
  'status-only': () => Object.assign(new Error('already taken'), { status: 409 }),
  'status-code-only': () => Object.assign(new Error('slow down'), { statusCode: 429 }),
  'hidden-4xx': () => httpErrorsStyle(400, 'internal detail: column users.secret', false),
  unavailable: () => httpErrorsStyle(503, 'connection to db-7.internal:5432 refused'),
  'exposed-5xx': () => httpErrorsStyle(502, 'the upstream answered garbage', true),
  'unknown-status': () => httpErrorsStyle(499, 'client closed'),
  'plain-object': () => ({ statusCode: 418, message: 'short and stout' }),
  'ok-status': () => Object.assign(new Error('fine?'), { statusCode: 200 }),
  'too-large': () => Object.assign(new Error('no'), { statusCode: 600 }),
  fraction: () => Object.assign(new Error('no'), { status: 404.5 }),
  string: () => Object.assign(new Error('no'), { statusCode: '404' }),
  'bad-status-code-good-status': () => Object.assign(new Error('no'), { statusCode: 'x', status: 404 }),
};

@Controller('/foreign')
class ForeignController {
  @Get('/:case')
  fail(_res: unknown, req: HttpRequest) {
    throw (THROWN[req.params.case as string] as () => unknown)();
  }

  @Get('/async/:case')
  async failLater(_res: unknown, req: HttpRequest) {
    await Promise.resolve();
    throw (THROWN[req.params.case as string] as () => unknown)();
  }
}

describe('errors from other libraries with an HTTP status', () => {
  const startApp = appStarter();

  async function answer(url: string, path: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${url}/foreign/${path}`);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    return { status: response.status, body: await response.json() };
  }

  const expected: [string, number, string][] = [
    ['not-found', 404, 'no such user'],
    ['status-only', 409, 'already taken'],
    ['status-code-only', 429, 'slow down'],
    ['hidden-4xx', 400, 'Bad Request'],
    ['unavailable', 503, 'Service Unavailable'],
    ['exposed-5xx', 502, 'the upstream answered garbage'],
    ['unknown-status', 499, 'client closed'],
    ['plain-object', 418, 'short and stout'],
  ];
  for (const [name, status, message] of expected) {
    it(`${name}: ${status} with message ${JSON.stringify(message)}, thrown or rejected`, async () => {
      const { url } = await startApp({ controllers: [ForeignController] });
      for (const path of [name, `async/${name}`]) {
        const { status: got, body } = await answer(url, path);
        expect(got).to.equal(status);
        const error = STATUS_CODES[status] ?? 'Error';
        expect(body).to.deep.equal({ statusCode: status, error, message });
      }
    });
  }

  for (const name of ['ok-status', 'too-large', 'fraction', 'string']) {
    it(`${name}: a status that is not an integer from 400 to 599 is a bare 500`, async () => {
      const { url } = await startApp({ controllers: [ForeignController] });
      expect(await answer(url, name)).to.deep.equal({
        status: 500,
        body: { statusCode: 500, error: 'Internal Server Error', message: 'Internal Server Error' },
      });
    });
  }

  it('reads statusCode first, and status only when statusCode is absent', async () => {
    const { url } = await startApp({ controllers: [ForeignController] });
    expect((await answer(url, 'bad-status-code-good-status')).status).to.equal(500);
  });

  it('logs the 5xx with the route, as any handler failure; a 4xx is not logged', async () => {
    const { logger, lines } = captureLogs('info');
    const { url } = await startApp({ controllers: [ForeignController], logger });
    await answer(url, 'not-found');
    await answer(url, 'unavailable');
    await waitFor(() => lines.filter((line) => line.msg === 'request').length === 2, 'both access lines');
    const errors = lines.filter((line) => line.level >= LEVELS.error);
    expect(errors).to.have.lengthOf(1);
    expect(errors[0]).to.include({ msg: 'handler failed', route: 'ForeignController.fail' });
    expect(JSON.stringify(errors[0]?.['err'])).to.include('db-7.internal');
  });
});
