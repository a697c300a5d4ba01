// The status page in a real cluster: each process's stream carries every
// process's sample (relayed through the primary), one line per pid.

import { expect } from 'chai';
import type { StatusFrame } from '../../src/status/status-sampler';
import { killCluster, spawnCluster, type ChildCluster } from '../helpers/child-cluster';
import { waitFor } from '../helpers/wait-for';
import { openEventStream, type EventStreamClient } from '../helpers/event-stream-client';

describe('runCluster with the status page', function () {
  this.timeout(30_000);
  let cluster: ChildCluster | undefined;
  const streams: EventStreamClient[] = [];
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
    if (cluster !== undefined) killCluster(cluster);
    cluster = undefined;
  });

  it("shows every process on each process's page, and drops one that is gone", async () => {
    cluster = spawnCluster({ PROCESSES: '2', STATUS_PAGE: '1' });
    const line = await cluster.line('httppool cluster listening');
    const pids = [...(line.pids as number[])].sort((a, b) => a - b);
    const port = line.port as number;
    // Fresh connections land on either process; each must see both.
    const byPid = new Map<number, EventStreamClient>();
    for (let i = 0; i < 10 && byPid.size < 2; i++) {
      const client = await openEventStream(`http://127.0.0.1:${port}/_httppool/events`);
      streams.push(client);
      const both = (): StatusFrame | undefined =>
        client.events
          .map((event) => event.data as StatusFrame)
          .find(
            (frame) =>
              frame.processes
                .map((p) => p.pid)
                .sort((a, b) => a - b)
                .join() === pids.join(),
          );
      await waitFor(() => both() !== undefined, 'a frame with both processes', 8000);
      const frame = both() as StatusFrame;
      // This process's own sample comes first.
      byPid.set((frame.processes[0] as { pid: number }).pid, client);
      expect(frame.processes.map((p) => p.workers)).to.deep.equal([100, 100]);
    }
    expect(
      [...byPid.keys()].sort((a, b) => a - b),
      'both processes answered a stream',
    ).to.deep.equal(pids);
    const [victim, survivor] = pids as [number, number];
    const watching = byPid.get(survivor) as EventStreamClient;
    const before = watching.events.length;
    process.kill(victim, 'SIGKILL');
    // Its replacement has a new pid; the dead one's samples stop and it leaves the page.
    await waitFor(
      () =>
        watching.events.slice(before).some((event) => {
          const listed = (event.data as StatusFrame).processes.map((p) => p.pid);
          return listed.length === 2 && !listed.includes(victim) && listed[0] === survivor;
        }),
      'a frame with the survivor and the replacement, without the dead process',
      15_000,
    );
  });
});
