// Prometheus metrics: a registry per app, served outside the pool, checked
// after known traffic by parsing the exposition text.

import { expect } from 'chai';
import { Controller, Get, HttpPoolApp } from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { parseResponse, rawRequest } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';
import { inFlight, waitFor } from '../helpers/wait-for';

let gate: Deferred<void> = deferred();

@Controller()
class MeteredController {
  @Get('/ok')
  ok(): string {
    return 'ok';
  }

  @Get('/hold')
  async hold(): Promise<string> {
    await gate.promise;
    return 'held';
  }
}

/** `name{labels} value` lines of the exposition, keyed by everything before the value. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

describe('metrics', () => {
  const startApp = appStarter({ beforeClose: () => gate.resolve() });
  beforeEach(() => {
    gate = deferred();
  });

  it('counts five 200s, two shed 503s and one 404, and serves /metrics while the pool is full', async () => {
    const { app, url } = await startApp({ controllers: [MeteredController], workers: 1, queueSize: 1, metrics: true });
    for (let i = 0; i < 5; i++) expect((await fetch(`${url}/ok`)).status).to.equal(200);
    expect((await fetch(`${url}/nope`)).status).to.equal(404);
    const running = inFlight(fetch(`${url}/hold`));
    await waitFor(() => app.pool.stats().busy === 1, 'the worker busy');
    const queued = inFlight(fetch(`${url}/hold`));
    await waitFor(() => app.pool.stats().queued === 1, 'the queue full');
    for (let i = 0; i < 2; i++) expect((await fetch(`${url}/hold`)).status).to.equal(503);

    // The pool is full and the queue too: /metrics still answers.
    const scrape = await fetch(`${url}/metrics`);
    expect(scrape.status).to.equal(200);
    expect(scrape.headers.get('content-type')).to.match(/^text\/plain/);
    const samples = parse(await scrape.text());
    expect(samples.get('httppool_pool_workers')).to.equal(1);
    expect(samples.get('httppool_pool_busy')).to.equal(1);
    expect(samples.get('httppool_queue_depth')).to.equal(1);
    expect(samples.get('httppool_requests_total{route="/ok",method="GET",status="200"}')).to.equal(5);
    expect(samples.get('httppool_requests_total{route="(unmatched)",method="GET",status="404"}')).to.equal(1);
    expect(samples.get('httppool_requests_total{route="/hold",method="GET",status="503"}')).to.equal(2);
    expect(samples.get('httppool_shed_total{reason="queue_full"}')).to.equal(2);
    expect(samples.get('httppool_queue_wait_seconds_count')).to.equal(6);
    expect(samples.get('httppool_handler_duration_seconds_count{route="/ok"}')).to.equal(5);

    gate.resolve();
    await Promise.all([running, queued]);
    await waitFor(() => app.stats().busy === 0, 'the pool idle');
    const stats = app.stats();
    // Five /ok, two /hold, and the scrape itself.
    expect(stats.responses).to.deep.equal({ 200: 8, 404: 1, 503: 2 });
    expect(stats.shed).to.deep.equal({
      queue_full: 2,
      queue_timeout: 0,
      queue_delay: 0,
      shutting_down: 0,
      input_full: 0,
    });
  });

  it('serves at a chosen path, with process metrics when asked, GET and HEAD only', async () => {
    const { url } = await startApp({
      controllers: [MeteredController],
      metrics: { path: '/internal/metrics', defaultMetrics: true },
    });
    const text = await (await fetch(`${url}/internal/metrics`)).text();
    expect(text).to.contain('process_cpu_user_seconds_total');
    expect((await fetch(`${url}/metrics`)).status).to.equal(404);
    expect((await fetch(`${url}/internal/metrics`, { method: 'POST' })).status).to.equal(405);
  });

  it('keeps each app in its own registry', async () => {
    const a = await startApp({ controllers: [MeteredController], metrics: true });
    const b = await startApp({ controllers: [MeteredController], metrics: true });
    await fetch(`${a.url}/ok`);
    const samplesB = parse(await (await fetch(`${b.url}/metrics`)).text());
    expect(samplesB.get('httppool_requests_total{route="/ok",method="GET",status="200"}')).to.equal(undefined);
    expect(a.app.metrics).to.not.equal(b.app.metrics);
  });

  it('counts answers to requests that never became request objects: parser errors and CONNECT', async () => {
    const { app, port, url } = await startApp({ controllers: [MeteredController], metrics: true });
    expect(parseResponse(await rawRequest(port, 'GET /ok HTTP/1.1\r\nHost x\r\n\r\n')).statusCode).to.equal(400);
    expect(parseResponse(await rawRequest(port, 'CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n')).statusCode).to.equal(405);
    const samples = parse(await (await fetch(`${url}/metrics`)).text());
    expect(samples.get('httppool_requests_total{route="(unmatched)",method="(unparsed)",status="400"}')).to.equal(1);
    expect(samples.get('httppool_requests_total{route="(unmatched)",method="CONNECT",status="405"}')).to.equal(1);
    expect(app.stats().responses).to.deep.equal({ 200: 1, 400: 1, 405: 1 });
  });

  it('has no /metrics route and no registry when metrics are off', async () => {
    const { app, url } = await startApp({ controllers: [MeteredController] });
    expect((await fetch(`${url}/metrics`)).status).to.equal(404);
    expect(app.metrics).to.equal(undefined);
  });

  it('rejects a bad metrics option at bootstrap, naming it', async () => {
    for (const metrics of [{ path: 'metrics' }, { defaultMetrics: 'yes' }, { route: '/m' }, 'on']) {
      let error: unknown;
      try {
        await HttpPoolApp.bootstrap({ logger: false, metrics: metrics as never });
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(metrics)).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.contain('metrics');
    }
  });
});
