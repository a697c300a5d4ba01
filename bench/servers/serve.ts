// The child side of a benchmark server: starts one framework's server on
// 127.0.0.1, then answers the parent's IPC requests (CPU time around each
// load run, close) so the parent can measure it without sharing its process.

import { Session } from 'node:inspector';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the parent passes a server child (as JSON in argv[2]). */
export interface ServerConfig {
  /** httppool only: pool size (or `'auto'`) and queue size for this scenario. */
  workers?: number | 'auto';
  /** httppool only: the listen backlog (the `backlog` option). */
  backlog?: number;
  queueSize?: number;
  /** httppool-observed and fastify-logged only: the file their log goes to. */
  logFile?: string;
  /** static-* only: the folder served under /public. */
  staticRoot?: string;
  /** httppool-threads only: worker threads for its CPU route (0: run it inline). */
  threads?: number;
  /** httppool only: CoDel on the job queue (the `codel` option). */
  codel?: boolean | { targetMs?: number; intervalMs?: number; adaptiveLifo?: boolean };
  /** httppool only: the `holdShedConnections` option. */
  holdShed?: boolean;
  /** httppool-cluster only: how many processes serve. */
  processes?: number;
}

export interface RunningServer {
  address: AddressInfo;
  close(): Promise<void>;
  /** Anything worth recording after a run (httppool: the pool's stats). */
  stats?(): unknown;
}

/** Parent → child. */
export type ServerRequest =
  { type: 'cpu-start' } | { type: 'cpu-stop' } | { type: 'alloc-start' } | { type: 'alloc-stop' } | { type: 'close' };

/** Bytes allocated by one function (self), from V8's sampling heap profiler. */
export interface AllocationSite {
  functionName: string;
  url: string;
  line: number;
  bytes: number;
}

/** The server's CPU time over one load run, and the clock it was read on. */
export interface CpuSample {
  userUs: number;
  systemUs: number;
  wallMs: number;
  /** process.hrtime at start and stop, in µs: the same clock as a --cpu-prof profile's timestamps. */
  fromUs: number;
  toUs: number;
  /** Anything the server records after a run (httppool: the pool's stats). */
  stats?: unknown;
}

/** Child → parent. */
export type ServerReply =
  | { type: 'ready'; port: number }
  | { type: 'cpu-started' }
  | ({ type: 'cpu' } & CpuSample)
  | { type: 'alloc-started' }
  | { type: 'alloc'; sites: AllocationSite[] }
  | { type: 'failed'; message: string };

/** Listens on 127.0.0.1 port 0 and describes the server for `serve`; close() drops open connections. */
export async function listenPlain(server: Server, stats?: () => unknown): Promise<RunningServer> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    ...(stats === undefined ? {} : { stats }),
  };
}

export function serve(start: (config: ServerConfig) => Promise<RunningServer>): void {
  const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
  const send = (reply: ServerReply): void => {
    process.send?.(reply);
  };
  start(config).then(
    (server) => {
      let cpuAtStart = process.cpuUsage();
      let wallAtStart = performance.now();
      let fromUs = nowUs();
      let session: Session | undefined;
      process.on('message', (request: ServerRequest) => {
        if (request.type === 'cpu-start') {
          cpuAtStart = process.cpuUsage();
          wallAtStart = performance.now();
          fromUs = nowUs();
          send({ type: 'cpu-started' });
        } else if (request.type === 'cpu-stop') {
          const used = process.cpuUsage(cpuAtStart);
          const wallMs = performance.now() - wallAtStart;
          const stats = server.stats?.();
          send({ type: 'cpu', userUs: used.user, systemUs: used.system, wallMs, fromUs, toUs: nowUs(), stats });
        } else if (request.type === 'alloc-start') {
          session = new Session();
          session.connect();
          // Every allocation counts, not only what is still alive at the end:
          // per-request garbage is exactly what we are after.
          const params = {
            samplingInterval: 256,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          };
          session.post('HeapProfiler.startSampling', params, () => send({ type: 'alloc-started' }));
        } else if (request.type === 'alloc-stop') {
          session?.post('HeapProfiler.stopSampling', (error, result) => {
            send({ type: 'alloc', sites: error === null ? allocationSites(result.profile.head) : [] });
            session?.disconnect();
          });
        } else {
          // A normal exit, not a kill: --cpu-prof writes its profile on exit.
          const forced = setTimeout(() => process.exit(0), 3000);
          forced.unref();
          server.close().then(
            () => process.exit(0),
            () => process.exit(0),
          );
        }
      });
      process.on('disconnect', () => process.exit(0));
      send({ type: 'ready', port: server.address.port });
    },
    (error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(1);
    },
  );
}

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

// Sums the sampled bytes per function, so only a short list crosses the IPC channel.
function allocationSites(head: SamplingNode): AllocationSite[] {
  const sites = new Map<string, AllocationSite>();
  const walk = (node: SamplingNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      const key = `${functionName}|${url}|${lineNumber}`;
      const site = sites.get(key) ?? { functionName, url, line: lineNumber + 1, bytes: 0 };
      site.bytes += node.selfSize;
      sites.set(key, site);
    }
    for (const child of node.children) walk(child);
  };
  walk(head);
  return [...sites.values()].sort((a, b) => b.bytes - a.bytes);
}
