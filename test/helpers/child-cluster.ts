// Runs the cluster fixture (test/fixtures/cluster/cluster-app.ts) as a real
// process tree, reads the primary's JSON log lines, and kills whatever is
// left after the test.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait-for';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'cluster', 'cluster-app.js');

export interface LogLine {
  msg: string;
  [field: string]: unknown;
}

export interface ChildCluster {
  child: ChildProcess;
  /** The primary's log lines so far. */
  lines: LogLine[];
  /** What the primary and its processes wrote to stderr. */
  stderr: () => string;
  /** The exit status (or signal name) once the primary has exited. */
  exited: Promise<number | string>;
  /** Waits for a log line `msg` starts with, and returns it. */
  line: (msg: string, capMs?: number) => Promise<LogLine>;
}

/** Starts the fixture with `env`; `started` waits for "httppool cluster listening". */
export function spawnCluster(env: Record<string, string>): ChildCluster {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const complete = pending.split('\n');
    pending = complete.pop() as string;
    for (const text of complete) if (text.startsWith('{')) lines.push(JSON.parse(text) as LogLine);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal as string))),
  );
  const line = async (msg: string, capMs = 10_000): Promise<LogLine> => {
    const found = (): LogLine | undefined => lines.find((entry) => entry.msg.startsWith(msg));
    await waitFor(
      () => found() !== undefined,
      `the primary to log "${msg}"; it logged ${JSON.stringify(lines)} ${stderr}`,
      capMs,
    );
    return found() as LogLine;
  };
  return { child, lines, stderr: () => stderr, exited, line };
}

/** Kills the primary and every process it listed, should the test have left any. */
export function killCluster(cluster: ChildCluster): void {
  const pids = new Set<number>();
  for (const entry of cluster.lines)
    if (typeof entry.workerPid === 'number' && entry.msg === 'process listening') pids.add(entry.workerPid);
  if (cluster.child.exitCode === null && cluster.child.signalCode === null) cluster.child.kill('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
