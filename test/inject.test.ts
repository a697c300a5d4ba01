// app.inject(): socket-less requests through the same dispatch as the
// network's — routing, validated input, the pool, deadlines, static files.

import { expect } from 'chai';
import { IsString, Length } from 'class-validator';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Controller, Get, HttpPoolApp, Post, type HttpRequest, type HttpResponse } from '../src/index';
import { deferred, type Deferred } from './helpers/deferred';
import { waitFor } from './helpers/wait-for';

const run = promisify(execFile);

class NewUser {
  @IsString()
  @Length(1, 20)
  name!: string;
}

let gate: Deferred<void> = deferred();

@Controller('/users')
class UsersController {
  @Get('/:id')
  find(_res: HttpResponse, req: HttpRequest) {
    return { id: req.params.id, q: req.query.q };
  }

  @Post('/', { body: NewUser })
  create(res: HttpResponse, req: HttpRequest<NewUser>) {
    res.statusCode = 201;
    return { name: req.body.name };
  }

  @Get('/slow/wait')
  async slow() {
    await gate.promise;
    return { waited: true };
  }
}

describe('app.inject', () => {
  const apps: HttpPoolApp[] = [];
  const bootstrap = async (options: Parameters<typeof HttpPoolApp.bootstrap>[0]) => {
    const app = await HttpPoolApp.bootstrap({ logger: false, ...options });
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    gate.resolve();
    gate = deferred();
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('answers a route with status, headers, body and json()', async () => {
    const app = await bootstrap({ controllers: [UsersController] });
    const res = await app.inject({ method: 'GET', url: '/users/7?q=x' });
    expect(res.statusCode).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.headers['x-request-id']).to.be.a('string').and.not.equal('');
    expect(res.json()).to.deep.equal({ id: '7', q: 'x' });
    expect(app.stats().responses).to.deep.include({ 200: 1 });
  });

  it('takes a bare URL string as a GET', async () => {
    const app = await bootstrap({ controllers: [UsersController] });
    const res = await app.inject('/users/1');
    expect(res.json()).to.deep.include({ id: '1' });
  });

  it('validates a declared body: a valid payload runs, an invalid one is a 400 in the error shape', async () => {
    const app = await bootstrap({ controllers: [UsersController] });
    const created = await app.inject({ method: 'POST', url: '/users', payload: { name: 'Ada' } });
    expect(created.statusCode).to.equal(201);
    expect(created.json()).to.deep.equal({ name: 'Ada' });
    const refused = await app.inject({ method: 'POST', url: '/users', payload: { name: '' } });
    expect(refused.statusCode).to.equal(400);
    expect(refused.json()).to.include({ statusCode: 400, error: 'Bad Request' });
  });

  it('answers unknown routes 404 and wrong methods 405 with Allow', async () => {
    const app = await bootstrap({ controllers: [UsersController] });
    expect((await app.inject('/nothing')).statusCode).to.equal(404);
    const wrong = await app.inject({ method: 'DELETE', url: '/users/1' });
    expect(wrong.statusCode).to.equal(405);
    expect(wrong.headers['allow']).to.include('GET');
  });

  it('goes through the pool: the only worker held and the queue full, the next request is shed 503', async () => {
    const app = await bootstrap({ controllers: [UsersController], workers: 1, queueSize: 1 });
    const held = app.inject('/users/slow/wait');
    await waitFor(() => app.stats().busy === 1, 'the worker busy', 1000);
    const queued = app.inject('/users/2');
    await waitFor(() => app.stats().queued === 1, 'a request queued', 1000);
    const shed = await app.inject('/users/1');
    expect(shed.statusCode).to.equal(503);
    expect(shed.headers['retry-after']).to.equal('1');
    gate.resolve();
    expect((await held).json()).to.deep.equal({ waited: true });
    expect((await queued).json()).to.deep.include({ id: '2' });
    expect(app.stats().shed.queue_full).to.equal(1);
  });

  it('serves static files', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'httppool-inject-'));
    try {
      writeFileSync(path.join(root, 'hello.txt'), 'hello from disk');
      const app = await bootstrap({ controllers: [UsersController], static: [{ prefix: '/files', root }] });
      const res = await app.inject('/files/hello.txt');
      expect(res.statusCode).to.equal(200);
      expect(res.body).to.equal('hello from disk');
      expect(res.headers['etag']).to.be.a('string');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reaches the handler deadline (504) in a process with no listening server', async () => {
    const controller = require.resolve('./fixtures/inject/hang.controller');
    const index = require.resolve('../src/index');
    const script = `
      const { HttpPoolApp } = require(${JSON.stringify(index)});
      const { HangController } = require(${JSON.stringify(controller)});
      HttpPoolApp.bootstrap({ controllers: [HangController], logger: false, handlerTimeoutMs: 100 })
        .then((app) => app.inject('/hang'))
        .then((res) => console.log('status', res.statusCode));
    `;
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 10_000 });
    expect(stdout.trim()).to.equal('status 504');
  });
});
