// ClusterPrimary: the primary process of runCluster. It forks the processes
// that serve (they share the port through node:cluster), replaces one that
// dies with backoff until deaths come as a crash loop, drains them all on
// close(), and restarts them one at a time on restart(): a new process
// first, listening, then the old one drained, so the port never has fewer
// processes than it had.
//
//   fork ──► starting ──ready──► serving ──drain──► draining ──exit──► gone
//                │                  └──────── died ─────► replaced after a backoff
//                └── died: counted too (a crash loop often dies before listening)

import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { CrashLoopError, RollingRestartError } from '../errors';
import { ClusterMetricsSource } from './cluster-metrics';
import { relayStatusSample } from '../status/cluster-status';
import { CLUSTER_ENV, isClusterMessage, type DrainMessage, type ExitMessage } from './cluster-messages';
import { RespawnPolicy, type ResolvedRespawn } from './respawn-policy';

export type ProcessState = 'starting' | 'serving' | 'draining';

/** One process of the cluster, as `primary.processes()` lists it. */
export interface ClusterProcessInfo {
  pid: number;
  state: ProcessState;
}

/** What the primary is built from; runCluster checks the options. */
export interface PrimaryParts {
  processes: number;
  respawn: ResolvedRespawn;
  startTimeoutMs: number;
  drainTimeoutMs: number;
  logger: Logger;
}

interface Member {
  readonly worker: Worker;
  state: ProcessState;
  /** A process a rolling restart started: if it dies before it serves, the restart stops instead of replacing it. */
  candidate: boolean;
  /** Its exit was asked for (drained): not a death. */
  expected: boolean;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
}

export class ClusterPrimary {
  private readonly members = new Map<Worker, Member>();
  private readonly policy: RespawnPolicy;
  private readonly metrics = new ClusterMetricsSource();
  private readonly respawnTimers = new Set<NodeJS.Timeout>();
  private closing: Promise<void> | undefined;
  private restarting: Promise<void> | undefined;
  private settleEnded!: { resolve: () => void; reject: (error: Error) => void };
  private firstPort: number | undefined;
  /** Deaths came as a crash loop: nothing is replaced any more. */
  private crashLoop: CrashLoopError | undefined;
  private readonly servingWatchers = new Set<() => void>();

  /** Settles when the cluster has ended: resolves after close(), rejects with CrashLoopError. */
  readonly ended = new Promise<void>((resolve, reject) => {
    this.settleEnded = { resolve, reject };
  });

  constructor(private readonly parts: PrimaryParts) {
    this.policy = new RespawnPolicy(parts.respawn);
    // Nobody may be left waiting on it unseen: runCluster hands it out, and a crash loop also rejects start().
    this.ended.catch(() => undefined);
  }

  /** The port the processes listen on (known once one of them does). */
  get port(): number | undefined {
    return this.firstPort;
  }

  /** Forks every process; resolves once they all listen, rejects with CrashLoopError should they keep dying. */
  async start(): Promise<void> {
    this.parts.logger.info({ processes: this.parts.processes }, 'httppool cluster starting');
    for (let i = 0; i < this.parts.processes; i++) this.fork(false);
    await Promise.race([this.whenServing(this.parts.processes), this.ended]);
    this.parts.logger.info(
      { port: this.firstPort, processes: this.members.size, pids: this.pids() },
      'httppool cluster listening',
    );
  }

  /** Every process, with its pid and state. */
  processes(): ClusterProcessInfo[] {
    return [...this.members.values()].map((member) => ({
      pid: member.worker.process.pid as number,
      state: member.state,
    }));
  }

  /**
   * Restarts every process, one at a time: a new one is started and listens
   * before the old one drains, so no request is refused for want of a
   * process. Rejects with RollingRestartError if a new process does not start
   * (the old ones go on serving). One restart at a time: a call while one
   * runs gets the same promise.
   */
  restart(): Promise<void> {
    this.restarting ??= this.rollThrough().finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  /** Drains every process (each closes its app as close() does) and resolves once they have all exited. */
  close(): Promise<void> {
    this.closing ??= this.drainAll();
    return this.closing;
  }

  private async rollThrough(): Promise<void> {
    const old = [...this.members.values()].filter((member) => member.state !== 'draining');
    this.parts.logger.info({ processes: old.length }, 'rolling restart: one process at a time');
    for (const member of old) {
      if (this.closing !== undefined) return;
      if (!this.members.has(member.worker)) continue; // died meanwhile, and was replaced
      const fresh = this.fork(true);
      try {
        await withTimeout(fresh.ready, this.parts.startTimeoutMs, 'did not listen');
      } catch (error) {
        if (this.members.has(fresh.worker)) void this.drain(fresh);
        const reason = (error as Error).message;
        this.parts.logger.error({ workerPid: fresh.worker.process.pid, reason }, 'rolling restart stopped');
        throw new RollingRestartError(`rolling restart stopped: a new process ${reason}`, { cause: error });
      }
      fresh.candidate = false;
      await this.drain(member);
    }
    this.parts.logger.info({ pids: this.pids() }, 'rolling restart done');
  }

  private async drainAll(): Promise<void> {
    for (const timer of this.respawnTimers) clearTimeout(timer);
    this.respawnTimers.clear();
    this.parts.logger.info({ processes: this.members.size }, 'httppool cluster draining');
    await Promise.all([...this.members.values()].map((member) => this.drain(member)));
    this.parts.logger.info('httppool cluster closed');
    this.settleEnded.resolve();
  }

  /** Asks a process to close its app and exit; past drainTimeoutMs it is killed. Resolves once it exited. */
  private drain(member: Member): Promise<void> {
    if (member.state !== 'draining') {
      member.state = 'draining';
      member.expected = true;
      const message: DrainMessage = { httppool: 'drain' };
      if (member.worker.isConnected()) member.worker.send(message);
      else member.worker.process.kill('SIGTERM');
      const killer = setTimeout(() => {
        this.parts.logger.warn({ workerPid: member.worker.process.pid }, 'process still draining: killed');
        member.worker.process.kill('SIGKILL');
      }, this.parts.drainTimeoutMs);
      void member.exited.then(() => clearTimeout(killer));
    }
    return member.exited;
  }

  private fork(candidate: boolean): Member {
    const worker = cluster.fork({ [CLUSTER_ENV]: '1' });
    let markReady!: () => void;
    let failReady!: (error: Error) => void;
    let markExited!: () => void;
    const member: Member = {
      worker,
      state: 'starting',
      candidate,
      expected: false,
      ready: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failReady = reject;
      }),
      exited: new Promise<void>((resolve) => {
        markExited = resolve;
      }),
    };
    member.ready.catch(() => undefined); // a process that dies before it listens may have nobody waiting
    this.members.set(worker, member);
    worker.on('message', (message: unknown) => {
      if (this.metrics.answer(worker, message)) return;
      if (relayStatusSample(worker, message, this.members.keys())) return;
      if (!isClusterMessage(message)) return;
      if (message.httppool === 'closed') {
        const exit: ExitMessage = { httppool: 'exit' };
        if (worker.isConnected()) worker.send(exit);
        return;
      }
      if (message.httppool !== 'ready') return;
      this.firstPort ??= message.port;
      if (member.state === 'starting') member.state = 'serving';
      this.parts.logger.info({ workerPid: worker.process.pid, port: message.port }, 'process listening');
      markReady();
      for (const check of [...this.servingWatchers]) check();
    });
    worker.on('exit', (code: number | null, signal: string | null) => {
      this.members.delete(worker);
      failReady(new Error(`exited (${signal ?? `code ${String(code)}`}) before it listened`));
      markExited();
      if (!member.expected && this.closing === undefined) this.died(member, code, signal);
    });
    return member;
  }

  private died(member: Member, code: number | null, signal: string | null): void {
    const pid = member.worker.process.pid;
    const decision = this.policy.died();
    if (this.crashLoop === undefined && !decision.respawn) {
      this.crashLoop = new CrashLoopError(decision.deaths, this.parts.respawn.windowMs);
      this.parts.logger.error({ workerPid: pid, code, signal, processes: this.members.size }, this.crashLoop.message);
    }
    if (this.crashLoop !== undefined) {
      if (this.members.size === 0) this.settleEnded.reject(this.crashLoop);
      return;
    }
    if (!decision.respawn) return;
    // A rolling restart's new process that dies stops the restart; the old one still serves.
    if (member.candidate) return;
    this.parts.logger.warn(
      { workerPid: pid, code, signal, respawnInMs: decision.delayMs },
      'process died: replacing it',
    );
    const timer = setTimeout(() => {
      this.respawnTimers.delete(timer);
      if (this.closing === undefined) this.fork(false);
    }, decision.delayMs);
    this.respawnTimers.add(timer);
  }

  /** Resolves once `count` processes serve (those that died replaced). */
  private whenServing(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        const serving = [...this.members.values()].filter((member) => member.state === 'serving').length;
        if (serving < count) return;
        this.servingWatchers.delete(check);
        resolve();
      };
      this.servingWatchers.add(check);
      check();
    });
  }

  private pids(): number[] {
    return [...this.members.keys()].map((worker) => worker.process.pid as number);
  }
}

function withTimeout(promise: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
