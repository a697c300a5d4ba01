// The status page across a cluster: each process sends its sample to the
// primary once per tick, the primary relays it to every other process, and
// each process's page draws its own sample with the latest of the others.
//
//   process A ──status-sample──▶ primary ──status-sample──▶ process B, C, …
//
// No timer in the primary and no asking: a process that stops sending (it
// exited, or its page is off) drops off the others' pages after STALE_MS.

import type { Worker } from 'node:cluster';
import { isClusterMessage, type StatusSampleMessage } from '../cluster/cluster-messages';
import type { StatusSample } from './status-sample';
import { TICK_MS } from './status-sampler';

/** A peer's sample older than three ticks is gone from the page. */
const STALE_MS = 3 * TICK_MS;

/** In a cluster process: the latest sample of every other process, and the way to send this one's. */
export class ClusterStatus {
  private readonly peers = new Map<number, StatusSample>();
  private readonly listener = (message: unknown): void => {
    if (!isClusterMessage(message) || message.httppool !== 'status-sample') return;
    if (message.sample.pid !== process.pid) this.peers.set(message.sample.pid, message.sample);
  };

  constructor() {
    process.on('message', this.listener);
  }

  /** Sends this process's sample to the primary. */
  share(sample: StatusSample): void {
    const message: StatusSampleMessage = { httppool: 'status-sample', sample };
    if (process.connected) process.send?.(message);
  }

  /** The others' latest samples, by pid, the stale ones dropped. */
  others(): StatusSample[] {
    const now = Date.now();
    for (const [pid, sample] of this.peers) if (now - sample.time > STALE_MS) this.peers.delete(pid);
    return [...this.peers.values()].sort((a, b) => a.pid - b.pid);
  }

  /** Stops listening to the primary. */
  stop(): void {
    process.off('message', this.listener);
  }
}

/** In the primary: relays a process's status sample to the others; true if `message` was one. */
export function relayStatusSample(from: Worker, message: unknown, workers: Iterable<Worker>): boolean {
  if (!isClusterMessage(message) || message.httppool !== 'status-sample') return false;
  for (const worker of workers) if (worker !== from && worker.isConnected()) worker.send(message);
  return true;
}
