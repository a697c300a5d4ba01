// runCluster: one script, run as N processes that share the port
// (node:cluster). In the primary it forks them and supervises; in each
// process it runs the user's start(). The primary drains them all on SIGTERM
// or SIGINT (then exits 0) and restarts them one at a time on SIGHUP.

import cluster from 'node:cluster';
import os from 'node:os';
import type { Logger, LoggerOptions } from 'pino';
import type { HttpPoolApp } from '../app';
import { CrashLoopError } from '../errors';
import { createLogger } from '../observe/create-logger';
import { ClusterPrimary } from './cluster-primary';
import { serveInClusterProcess } from './cluster-worker';
import { checkRespawnOptions, type RespawnOptions } from './respawn-policy';

export interface ClusterOptions {
  /** Builds the app, makes it listen, and returns it; runs in every process. */
  start: () => Promise<HttpPoolApp>;
  /** How many processes serve (default `os.availableParallelism()`). */
  processes?: number;
  /** How processes that die are replaced, and what is a crash loop (default: 100 ms doubling to 5 s; 5 deaths in 10 s). */
  respawn?: RespawnOptions;
  /** How long a new process may take to listen before a rolling restart gives up on it, in ms (default 30000). */
  startTimeoutMs?: number;
  /** How long a draining process may take before it is killed, in ms (default 60000). */
  drainTimeoutMs?: number;
  /** The primary's pino logger, pino options, or `false` (default: pino at level info). */
  logger?: Logger | LoggerOptions | false;
}

/** What runCluster gives each process: the primary its supervisor, a serving process its app. */
export type ClusterRole = { primary: ClusterPrimary; app?: undefined } | { app: HttpPoolApp; primary?: undefined };

/**
 * Runs `start()` in `processes` processes that share its port. Resolves, in
 * the primary, once every process listens; in a serving process, once its
 * app does.
 *
 * @example
 * const { primary } = await runCluster({
 *   processes: 2,
 *   start: async () => {
 *     const app = await HttpPoolApp.bootstrap({ controllers: [TestController] });
 *     await app.listen(9000);
 *     return app;
 *   },
 * });
 */
export async function runCluster(options: ClusterOptions): Promise<ClusterRole> {
  if (options === null || typeof options !== 'object' || typeof options.start !== 'function') {
    throw new TypeError('runCluster needs { start: () => Promise<HttpPoolApp> }');
  }
  if (!cluster.isPrimary) return { app: await serveInClusterProcess(options.start) };
  const logger = createLogger(options.logger ?? {});
  const primary = new ClusterPrimary({
    processes: checkCount('processes', options.processes ?? os.availableParallelism()),
    respawn: checkRespawnOptions(options.respawn),
    startTimeoutMs: checkCount('startTimeoutMs', options.startTimeoutMs ?? 30_000),
    drainTimeoutMs: checkCount('drainTimeoutMs', options.drainTimeoutMs ?? 60_000),
    logger,
  });
  superviseOnSignals(primary, logger);
  await primary.start();
  return { primary };
}

function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Option "${name}" of runCluster must be a positive integer, got ${String(value)}`);
  }
  return value;
}

// The primary's signals. The first SIGTERM or SIGINT drains and exits 0; a
// second ends the primary at once (its processes, disconnected, drain on
// their own). A crash loop with no process left ends it with status 1.
function superviseOnSignals(primary: ClusterPrimary, logger: Logger): void {
  let closing = false;
  const close = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn({ signal }, 'second signal while draining: exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'signal received: draining every process');
    void primary.close();
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
  process.on('SIGHUP', () => {
    primary.restart().catch(() => undefined); // the primary logged why
  });
  primary.ended.then(
    () => process.exit(0),
    (error: unknown) => {
      if (!(error instanceof CrashLoopError)) logger.error({ err: error }, 'httppool cluster failed');
      process.exit(1);
    },
  );
}
