// The demo service and the examples start and answer as their comments say.

import { expect } from 'chai';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { main as accessLogFile } from '../examples/access-log-file';
import { startDemo } from '../examples/demo-service';
import { main as goOriginal } from '../examples/go-original';
import { main as plainNodeServer } from '../examples/plain-node-server';
import { main as validatedInput } from '../examples/validated-input';
import type { HttpPoolApp } from '../src/index';
import { waitFor } from './helpers/wait-for';

function baseUrl(address: AddressInfo | string | null): string {
  return `http://127.0.0.1:${(address as AddressInfo).port}`;
}

describe('demo service (npm start)', () => {
  let app: HttpPoolApp | undefined;
  let url: string;
  after(() => app?.close());
  before(async () => {
    app = await startDemo(0, '127.0.0.1', false);
    url = baseUrl(app.server.address());
  });

  it('GET /test answers the Go original sample page exactly', async () => {
    const response = await fetch(`${url}/test`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    expect(await response.text()).to.equal(
      '<html></head><title>Sample test page</title></head><body><h4>Welcome to sample page</h4></body></html>',
    );
  });

  it('GET /api/users/:id answers JSON from the injected UserService', async () => {
    const response = await fetch(`${url}/api/users/2`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ id: '2', name: 'Alan Turing' });
    const missing = await fetch(`${url}/api/users/99`);
    expect(missing.status).to.equal(404);
    expect(await missing.json()).to.deep.equal({
      statusCode: 404,
      error: 'Not Found',
      message: 'No user with id 99',
    });
  });

  it('POST /api/users creates a user from a validated body, and answers 400 with details for a bad one', async () => {
    const created = await fetch(`${url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Barbara Liskov', email: 'barbara@example.com', role: 'admin' }),
    });
    expect(created.status).to.equal(201);
    const user = (await created.json()) as { id: string };
    // The unknown `role` is stripped; the new user is there to GET.
    expect(user).to.deep.equal({ id: user.id, name: 'Barbara Liskov', email: 'barbara@example.com' });
    expect(await (await fetch(`${url}/api/users/${user.id}`)).json()).to.deep.equal(user);

    const invalid = await fetch(`${url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '', email: 'not-an-email' }),
    });
    expect(invalid.status).to.equal(400);
    expect(await invalid.json()).to.deep.equal({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid request body: name, email',
      details: [
        { property: 'name', constraints: { isLength: 'name must be longer than or equal to 1 characters' } },
        { property: 'email', constraints: { isEmail: 'email must be an email' } },
      ],
    });
  });

  it('GET /slow?ms=N holds a worker for N ms and rejects a bad ms with 400', async () => {
    const started = Date.now();
    const response = await fetch(`${url}/slow?ms=30`);
    expect(await response.json()).to.deep.equal({ sleptMs: 30 });
    expect(Date.now() - started).to.be.at.least(25);
    expect((await fetch(`${url}/slow?ms=-1`)).status).to.equal(400);
    expect((await fetch(`${url}/slow?ms=abc`)).status).to.equal(400);
  });

  it('POST /api/users takes the same body as a form', async () => {
    const res = await fetch(`${url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Grace',
    });
    expect(res.status).to.equal(201);
    expect(await res.json()).to.include({ name: 'Grace' });
  });

  it('POST /api/upload takes one file of a multipart form', async () => {
    const form = new FormData();
    form.append('note', 'hi');
    form.append('file', new Blob(['hello upload'], { type: 'text/plain' }), 'hello.txt');
    const res = await fetch(`${url}/api/upload`, { method: 'POST', body: form });
    expect(res.status).to.equal(201);
    expect(await res.json()).to.deep.equal({
      field: 'file',
      filename: 'hello.txt',
      mimeType: 'text/plain',
      size: 12,
      fields: { note: 'hi' },
    });
  });

  it('GET /admin/pool is guarded: 401 without the token, 403 with a wrong one, the stats with it', async () => {
    expect((await fetch(`${url}/admin/pool`)).status).to.equal(401);
    expect((await fetch(`${url}/admin/pool`, { headers: { 'x-admin-token': 'nope' } })).status).to.equal(403);
    const res = await fetch(`${url}/admin/pool`, { headers: { 'x-admin-token': 'demo' } });
    expect(await res.json()).to.include({ workers: 300 });
  });

  it('serves its OpenAPI document and Swagger UI, and a Server header on every answer', async () => {
    const res = await fetch(`${url}/openapi.json`);
    expect(res.headers.get('server')).to.equal('httppool-demo');
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).to.include.members(['/api/users/{id}', '/api/upload', '/admin/pool', '/test']);
    expect(await (await fetch(`${url}/docs`)).text()).to.contain('swagger-ui-bundle.js');
    expect((await fetch(`${url}/nowhere`)).headers.get('server')).to.equal('httppool-demo');
    expect(await (await fetch(`${url}/readyz`)).json()).to.deep.equal({ status: 'ready' });
  });

  it('GET /cpu runs its work on a thread, /cpu-inline on the event loop; a bad ms is a 400', async () => {
    expect(await (await fetch(`${url}/cpu?ms=3`)).json()).to.deep.equal({ spunMs: 3 });
    expect(await (await fetch(`${url}/cpu-inline?ms=2`)).json()).to.deep.equal({ spunMs: 2 });
    expect((await fetch(`${url}/cpu?ms=5000`)).status).to.equal(400);
    expect(await (await fetch(`${url}/ping`)).text()).to.equal('pong');
    expect(app?.stats().threads?.completedTasks).to.be.at.least(1);
  });

  it('GET /stats shows the pool sized as configured', async () => {
    const stats = (await (await fetch(`${url}/stats`)).json()) as Record<string, number>;
    expect(stats).to.include({ workers: 300, queued: 0 });
    expect(stats.busy).to.equal(1); // the /stats request itself
  });
});

describe('examples', () => {
  it('go-original serves /test through a 300-worker pool', async () => {
    const app = await goOriginal(0, false);
    try {
      const response = await fetch(`${baseUrl(app.server.address())}/test`);
      expect(await response.text()).to.contain('<h4>Welcome to sample page</h4>');
      expect(app.pool.size).to.equal(300);
      expect(app.queue.maxSize).to.equal(100);
    } finally {
      await app.close();
    }
  });

  it('validated-input answers 201 for a good order and 400 with details for a bad one', async () => {
    const app = await validatedInput(0, false);
    try {
      const post = (query: string, body: unknown) =>
        fetch(`${baseUrl(app.server.address())}/orders${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const good = await post('?priority=3', { customer: 'ada', lines: [{ sku: 'tea', quantity: 2 }] });
      expect(good.status).to.equal(201);
      expect(await good.json()).to.deep.equal({ customer: 'ada', items: 2, priority: 3 });
      const bad = await post('', { customer: 'ada', lines: [{ sku: 'tea', quantity: 0 }] });
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { details: unknown }).details).to.deep.equal([
        {
          property: 'lines',
          constraints: {},
          children: [
            {
              property: '0',
              constraints: {},
              children: [{ property: 'quantity', constraints: { min: 'quantity must not be less than 1' } }],
            },
          ],
        },
      ]);
      const unknown = await post('', { customer: 'ada', lines: [], coupon: 'FREE' });
      expect(unknown.status).to.equal(400);
      expect(((await unknown.json()) as { message: string }).message).to.equal(
        'Invalid request body: (undeclared), lines',
      );
      expect(app.stats().completed).to.equal(1);
    } finally {
      await app.close();
    }
  });

  it('access-log-file writes one access line per request to its file, and starts a new file on SIGHUP', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'httppool-example-log-'));
    const logPath = path.join(folder, 'logs', 'access.log');
    const { app, stop } = await accessLogFile(0, logPath);
    try {
      const url = `${baseUrl(app.server.address())}/hello`;
      expect(await (await fetch(url)).json()).to.deep.equal({ hello: 'world' });
      await waitFor(() => readFileSync(logPath, 'utf8').includes('"url":"/hello"'), 'the access line');
      renameSync(logPath, `${logPath}.1`);
      process.emit('SIGHUP', 'SIGHUP');
      expect((await fetch(url)).status).to.equal(200);
    } finally {
      await stop();
    }
    const lines = (file: string): Array<{ msg: string; url?: string; status?: number }> =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { msg: string; url?: string; status?: number });
    const before = lines(`${logPath}.1`).filter((line) => line.msg === 'request');
    const after = lines(logPath).filter((line) => line.msg === 'request');
    expect(before.map((line) => [line.url, line.status])).to.deep.equal([['/hello', 200]]);
    expect(after.map((line) => [line.url, line.status])).to.deep.equal([['/hello', 200]]);
    rmSync(folder, { recursive: true, force: true });
  });

  it('plain-node-server keeps its own paths and hands the rest to app.dispatch', async () => {
    const { server, app } = await plainNodeServer(0, false);
    try {
      const url = baseUrl(server.address());
      expect(await (await fetch(`${url}/health`)).text()).to.equal('ok');
      expect(await (await fetch(`${url}/pooled/hello/ada`)).json()).to.deep.equal({ hello: 'ada' });
      expect((await fetch(`${url}/nope`)).status).to.equal(404);
      expect(app.stats().completed).to.equal(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await app.close();
    }
  });
});
