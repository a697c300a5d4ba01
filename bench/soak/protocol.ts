// The soak's IPC messages between the parent (load and verdict) and the
// server child (the app under test, reporting its memory).

import type { PoolStats } from 'httppool';

/** How the parent sizes the child's app (JSON in argv[2]). */
export interface SoakServerConfig {
  workers: number;
  queueSize: number;
}

/** One reading of the child's memory and pool. */
export interface MemorySample {
  /** ms since the child started. */
  at: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Open client connections on the server. */
  connections: number;
  stats: PoolStats;
}

/** Parent → child. */
export type SoakRequest = { type: 'gc' } | { type: 'close' };

/** Child → parent. */
export type SoakReply =
  | { type: 'ready'; port: number }
  /** Every second, unasked. */
  | { type: 'sample'; sample: MemorySample }
  /** After a full collection, asked for with `gc`. */
  | { type: 'collected'; sample: MemorySample };
