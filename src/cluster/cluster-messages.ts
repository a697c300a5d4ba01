// What the primary and its processes say to each other over the IPC channel
// node:cluster opens. Every message carries `httppool` so it is never taken
// for one of the user's own (or prom-client's).

import type { StatusSample } from '../status/status-sample';

/** A process → the primary: its app listens (on `port`). */
export interface ReadyMessage {
  httppool: 'ready';
  port: number;
}

/** The primary → a process: close the app as close() does, then exit. */
export interface DrainMessage {
  httppool: 'drain';
}

/**
 * A process → the primary: its app has closed. The primary answers `exit`:
 * by then it has read the process's earlier "server closed" and sends it no
 * more connections, and a connection it sent before is ahead of the answer
 * on the channel, so the process refuses it (the primary hands it to another)
 * instead of exiting with it unread.
 */
export interface ClosedMessage {
  httppool: 'closed';
}

/** The primary → a process: nothing more is on its way; exit. */
export interface ExitMessage {
  httppool: 'exit';
}

/** A process → the primary: /metrics was asked for; answer with the whole cluster's. */
export interface MetricsRequest {
  httppool: 'metrics';
  id: number;
}

/** The primary → a process: the cluster's metrics (or why there are none). */
export interface MetricsAnswer {
  httppool: 'metrics-answer';
  id: number;
  text?: string;
  error?: string;
}

/**
 * A process → the primary, once per status-page tick: its sample. The primary
 * relays it to every other process, so each page shows the whole cluster.
 */
export interface StatusSampleMessage {
  httppool: 'status-sample';
  sample: StatusSample;
}

export type ClusterMessage =
  ReadyMessage | DrainMessage | ClosedMessage | ExitMessage | MetricsRequest | MetricsAnswer | StatusSampleMessage;

/** The environment variable the primary sets for its processes. */
export const CLUSTER_ENV = 'HTTPPOOL_CLUSTER_PROCESS';

/** True in a process started by runCluster's primary. */
export function inHttpPoolCluster(): boolean {
  return process.env[CLUSTER_ENV] === '1';
}

export function isClusterMessage(value: unknown): value is ClusterMessage {
  return typeof value === 'object' && value !== null && typeof (value as { httppool?: unknown }).httppool === 'string';
}
