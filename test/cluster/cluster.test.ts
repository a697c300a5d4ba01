// runCluster as a real process tree on 127.0.0.1: the port shared, /metrics
// summed over the processes, a dead process replaced, a crash loop stopped,
// SIGTERM draining, and SIGHUP restarting under load with no failed request.

import { expect } from 'chai';
import http from 'node:http';
import { isAlive, killCluster, spawnCluster, type ChildCluster } from '../helpers/child-cluster';
import { waitFor, within } from '../helpers/wait-for';

/** GET over a connection of its own (no keep-alive), so the port's round robin picks a process each time. */
function getFresh(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode as number, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within 5 s`)));
    request.on('error', reject);
  });
}

async function pidOf(port: number): Promise<number> {
  const { status, body } = await getFresh(port, '/pid');
  expect(status).to.equal(200);
  return (JSON.parse(body) as { pid: number }).pid;
}

describe('runCluster', function () {
  this.timeout(30_000);
  let cluster: ChildCluster | undefined;
  afterEach(() => {
    if (cluster !== undefined) killCluster(cluster);
    cluster = undefined;
  });

  async function started(env: Record<string, string> = {}): Promise<{ port: number; pids: number[] }> {
    cluster = spawnCluster({ PROCESSES: '2', ...env });
    const line = await cluster.line('httppool cluster listening');
    return { port: line.port as number, pids: line.pids as number[] };
  }

  it('serves from every process on one port, with stats per pid and /metrics summed over the cluster', async () => {
    const { port, pids } = await started();
    expect(pids).to.have.length(2);
    const answered = new Set<number>();
    for (let i = 0; i < 20; i++) answered.add(await pidOf(port));
    expect([...answered].sort()).to.deep.equal([...pids].sort());
    const stats = JSON.parse((await getFresh(port, '/stats')).body) as { pid: number };
    expect(pids).to.include(stats.pid);
    const metrics = (await getFresh(port, '/metrics')).body;
    // Each process served some of the 20; the scrape shows them all.
    expect(metrics).to.include('httppool_requests_total{route="/pid",method="GET",status="200"} 20');
  });

  it('replaces a process that dies, after a backoff, and goes on serving', async () => {
    const { port, pids } = await started();
    const [victim, survivor] = pids as [number, number];
    process.kill(victim, 'SIGKILL');
    const died = await (cluster as ChildCluster).line('process died: replacing it');
    expect(died).to.include({ workerPid: victim, signal: 'SIGKILL', respawnInMs: 50 });
    await waitFor(
      () => (cluster as ChildCluster).lines.filter((l) => l.msg === 'process listening').length === 3,
      'the replacement listening',
      10_000,
    );
    const answered = new Set<number>();
    for (let i = 0; i < 20; i++) answered.add(await pidOf(port));
    expect(answered).to.include(survivor);
    expect(answered).not.to.include(victim);
    expect(answered.size).to.equal(2);
  });

  it('stops replacing processes in a crash loop, says why, and exits 1', async () => {
    cluster = spawnCluster({ PROCESSES: '2', CRASH: 'start' });
    expect(await within(cluster.exited, 'the primary exiting', 15_000)).to.equal(1);
    const loop = cluster.lines.find((line) => line.msg.includes('a crash loop'));
    expect(loop?.msg).to.equal('5 processes died within 10000 ms: not replacing them (a crash loop)');
    expect(cluster.stderr()).to.include('start() failed: Error: a missing secret');
    // 2 first processes, then 3 replacements before the 5th death stopped them.
    expect(cluster.lines.filter((line) => line.msg === 'process died: replacing it')).to.have.length(4);
  });

  it('drains every process on SIGTERM: the request in flight is answered, then all exit 0', async () => {
    const { port, pids } = await started();
    const slow = getFresh(port, '/slow?ms=600');
    await new Promise((resolve) => setTimeout(resolve, 150));
    (cluster as ChildCluster).child.kill('SIGTERM');
    const answer = await within(slow, 'the slow answer', 5000);
    expect(answer.status).to.equal(200);
    expect(await within((cluster as ChildCluster).exited, 'the primary exiting', 10_000)).to.equal(0);
    for (const pid of pids) expect(isAlive(pid), `process ${pid}`).to.equal(false);
  });

  it('drains processes still starting on SIGTERM: they close once start() is done, and all exit 0 at once', async () => {
    cluster = spawnCluster({ PROCESSES: '2', START_DELAY_MS: '800' });
    // The primary listens for signals once it says it is starting; its processes then take 800 ms.
    await cluster.line('httppool cluster starting');
    const signalled = performance.now();
    cluster.child.kill('SIGTERM');
    expect(await within(cluster.exited, 'the primary exiting', 10_000)).to.equal(0);
    // Not the 20 s drain timeout: the drain asked for during start() was kept.
    expect(performance.now() - signalled).to.be.below(5000);
    expect(cluster.lines.map((line) => line.msg)).to.include('httppool cluster closed');
  });

  it('restarts every process on SIGHUP, one at a time, with no failed request under load', async () => {
    const { port, pids } = await started();
    const outcomes = { ok: 0, failed: [] as string[] };
    let running = true;
    // 8 keep-alive clients (fetch) and 2 that connect for each request, for as long as the restart takes.
    const client = async (fresh: boolean): Promise<void> => {
      while (running) {
        try {
          const status = fresh
            ? (await getFresh(port, '/slow?ms=5')).status
            : await fetch(`http://127.0.0.1:${port}/slow?ms=5`, { signal: AbortSignal.timeout(5000) }).then(
                async (r) => (await r.arrayBuffer(), r.status),
              );
          if (status === 200) outcomes.ok++;
          else outcomes.failed.push(`status ${status}`);
        } catch (error) {
          outcomes.failed.push(`${fresh ? 'own connection' : 'fetch'}: ${String((error as Error).cause ?? error)}`);
        }
      }
    };
    const clients = [...Array.from({ length: 8 }, () => client(false)), client(true), client(true)];
    await new Promise((resolve) => setTimeout(resolve, 300));
    (cluster as ChildCluster).child.kill('SIGHUP');
    const done = await (cluster as ChildCluster).line('rolling restart done', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(clients);
    expect(outcomes.failed).to.deep.equal([]);
    expect(outcomes.ok).to.be.greaterThan(200);
    const after = done.pids as number[];
    expect(after).to.have.length(2);
    for (const pid of after) expect(pids).not.to.include(pid);
    for (const pid of pids) expect(isAlive(pid), `old process ${pid}`).to.equal(false);
  });
});
