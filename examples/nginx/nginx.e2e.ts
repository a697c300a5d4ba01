// nginx in front of three httppool instances, each on a host of its own (a
// network namespace; loopback ports where none can be made, and the run
// says which). `npm run test:nginx` runs it, and .ci/run, which installs
// nginx; without nginx it fails rather than skip.
//
// One instance saturated: clients through nginx get 200s from the others.
// One killed: no GET fails. One draining (SIGTERM): no request fails, GET or
// POST, as its connections are handed over and its refusals retried.

import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { renderNginxConfig } from './nginx-config';
import { makeTestHosts, type TestHost, type TestHosts } from './test-hosts';

const INSTANCE = path.join(__dirname, 'instance.js');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((file) => fs.existsSync(file));

interface Instance {
  name: string;
  /** host:port */
  address: string;
  child: ChildProcess;
  exited: Promise<number | string>;
}

function startInstance(host: TestHost, name: string, env: Record<string, string> = {}): Promise<Instance> {
  const [command, ...args] = [...host.exec, process.execPath, INSTANCE];
  const child = spawn(command as string, args, {
    env: { ...process.env, NAME: name, HOST: host.address, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal as string))),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${name} did not start within 10 s`)), 10_000);
    child.stdout?.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      const { host: bound, port } = JSON.parse(chunk.toString()) as { host: string; port: number };
      resolve({ name, address: `${bound}:${port}`, child, exited });
    });
    void exited.then((status) => reject(new Error(`instance ${name} exited (${status}) before it listened`)));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Answer {
  status: number;
  name?: string;
}

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(8000) });
  const text = await response.text();
  const name = response.ok ? (JSON.parse(text) as { name: string }).name : undefined;
  return { status: response.status, name };
}

describe('nginx in front of three httppool instances', function () {
  this.timeout(60_000);
  let hosts: TestHosts;
  let instances: Instance[] = [];
  let nginx: ChildProcess | undefined;
  let prefix: string;
  let front: string;

  before(function () {
    if (NGINX === undefined) throw new Error('nginx is not installed: apt-get install nginx (.ci/run does)');
    hosts = makeTestHosts(3);
    const where = hosts.hosts.map((host) => host.address).join(', ');
    console.log(`      hosts: ${hosts.kind} (${where})${hosts.reason === undefined ? '' : `; ${hosts.reason}`}`);
  });
  after(() => hosts?.remove());

  beforeEach(async () => {
    // Small pools (4 workers, 8 queue places): one test fills one.
    const pool = { WORKERS: '4', QUEUE: '8' };
    instances = await Promise.all(hosts.hosts.map((host, index) => startInstance(host, 'abc'[index] as string, pool)));
    prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'httppool-nginx-'));
    const port = await freePort();
    const config = path.join(prefix, 'nginx.conf');
    const servers = instances.map((instance) => instance.address);
    fs.writeFileSync(config, renderNginxConfig({ listen: `127.0.0.1:${port}`, servers, prefix }));
    nginx = spawn(NGINX as string, ['-c', config, '-p', prefix], { stdio: ['ignore', 'inherit', 'inherit'] });
    front = `http://127.0.0.1:${port}`;
    for (let tries = 0; ; tries++) {
      if (nginx.exitCode !== null) throw new Error(`nginx exited (${nginx.exitCode}): see its error above`);
      try {
        if ((await request(`${front}/whoami`)).status === 200) break;
      } catch (error) {
        if (tries > 100) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterEach(async () => {
    nginx?.kill('SIGQUIT');
    for (const instance of instances) instance.child.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance.exited));
    fs.rmSync(prefix, { recursive: true, force: true });
  });

  /** `count` GETs of `path` through nginx, `concurrency` at a time. */
  async function through(path: string, count: number, concurrency = 6): Promise<Answer[]> {
    const answers: Answer[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (answers.length < count) answers.push(await request(`${front}${path}`));
      }),
    );
    return answers;
  }

  it('with one instance saturated, clients get 200s from the others and no 5xx', async () => {
    const [a] = instances as [Instance];
    // Twelve long requests straight to `a` fill its four workers and eight queue places.
    const holding = Array.from({ length: 12 }, () => request(`http://${a.address}/work?ms=1500`));
    for (;;) {
      if ((await request(`http://${a.address}/whoami`)).status === 503) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const answers = await through('/whoami', 60);
    expect(answers.filter((answer) => answer.status !== 200)).to.deep.equal([]);
    const names = new Set(answers.map((answer) => answer.name));
    expect([...names].sort()).to.deep.equal(['b', 'c']);
    // Each of them answered once: the first four at 1.5 s, the queued ones as workers free up.
    expect((await Promise.all(holding)).map((answer) => answer.status)).to.deep.equal(Array(12).fill(200));
  });

  it('with one instance killed, no GET fails', async () => {
    const [, b] = instances as [Instance, Instance];
    expect(new Set((await through('/whoami', 30)).map((answer) => answer.name))).to.include('b');
    b.child.kill('SIGKILL');
    expect(await b.exited).to.equal('SIGKILL');
    const answers = await through('/whoami', 60);
    expect(answers.filter((answer) => answer.status !== 200)).to.deep.equal([]);
    expect([...new Set(answers.map((answer) => answer.name))].sort()).to.deep.equal(['a', 'c']);
  });

  it('with one instance draining (SIGTERM) under load, no GET or POST fails', async () => {
    const c = instances[2] as Instance;
    const answers: Answer[] = [];
    const failures: string[] = [];
    let running = true;
    const client = async (post: boolean): Promise<void> => {
      while (running) {
        try {
          const answer = post
            ? await request(`${front}/echo`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ n: answers.length }),
              })
            : await request(`${front}/work?ms=20`);
          answers.push(answer);
          if (answer.status !== 200) failures.push(`${post ? 'POST' : 'GET'}: ${answer.status}`);
        } catch (error) {
          failures.push(`${post ? 'POST' : 'GET'}: ${String((error as Error).cause ?? error)}`);
        }
      }
    };
    const clients = [client(false), client(false), client(false), client(true), client(true), client(true)];
    await new Promise((resolve) => setTimeout(resolve, 500));
    const servedByC = answers.filter((answer) => answer.name === 'c').length;
    c.child.kill('SIGTERM');
    expect(await c.exited).to.be.oneOf(['SIGTERM', 0]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(clients);
    expect(failures).to.deep.equal([]);
    expect(servedByC).to.be.greaterThan(0);
    expect(answers.length).to.be.greaterThan(100);
  });
});
