// The parent side of a benchmark server: forks the server's script, waits
// until it listens, and asks it for its CPU time around each load run.

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { AllocationSite, CpuSample, ServerConfig, ServerReply, ServerRequest } from '../servers/serve';

/** One framework in a comparison: its name in tables, its script in bench/servers, its config. */
export interface ServerSpec {
  name: string;
  /** File name in dist/bench/servers, without `.js`. */
  script: string;
  config?: ServerConfig;
  /** Node flags for this server's process (e.g. --cpu-prof). */
  execArgv?: string[];
}

export type { CpuSample } from '../servers/serve';

const START_TIMEOUT_MS = 30_000;
const REPLY_TIMEOUT_MS = 10_000;

export class ServerProcess {
  private constructor(
    readonly spec: ServerSpec,
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(spec: ServerSpec, execArgv: string[] = []): Promise<ServerProcess> {
    const script = path.join(__dirname, '..', 'servers', `${spec.script}.js`);
    const child = fork(script, [JSON.stringify(spec.config ?? {})], {
      execArgv: [...execArgv, ...(spec.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const reply = await nextReply(child, START_TIMEOUT_MS);
    if (reply.type !== 'ready') {
      child.kill();
      throw new Error(`${spec.name} did not start: ${reply.type === 'failed' ? reply.message : reply.type}`);
    }
    return new ServerProcess(spec, child, reply.port);
  }

  url(route: string): string {
    return `http://127.0.0.1:${this.port}${route}`;
  }

  async cpuStart(): Promise<void> {
    await this.call({ type: 'cpu-start' });
  }

  async cpuStop(): Promise<CpuSample> {
    const reply = await this.call({ type: 'cpu-stop' });
    if (reply.type !== 'cpu') throw new Error(`${this.spec.name}: unexpected reply ${reply.type}`);
    const { userUs, systemUs, wallMs, fromUs, toUs, stats } = reply;
    return { userUs, systemUs, wallMs, fromUs, toUs, stats };
  }

  /** Starts V8's sampling heap profiler in the server (every allocation, collected or not). */
  async allocStart(): Promise<void> {
    await this.call({ type: 'alloc-start' });
  }

  /** Stops it: bytes allocated per function since allocStart(). */
  async allocStop(): Promise<AllocationSite[]> {
    const reply = await this.call({ type: 'alloc-stop' });
    if (reply.type !== 'alloc') throw new Error(`${this.spec.name}: unexpected reply ${reply.type}`);
    return reply.sites;
  }

  /** CPU share (0–1 of one core) the server used over the next `ms`. */
  async cpuShareOver(ms: number): Promise<number> {
    await this.cpuStart();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const sample = await this.cpuStop();
    return (sample.userUs + sample.systemUs) / 1000 / sample.wallMs;
  }

  /** Asks the server to close and exit (so --cpu-prof can write its profile); kills it if it will not. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ type: 'close' } satisfies ServerRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private async call(request: ServerRequest): Promise<ServerReply> {
    const reply = nextReply(this.child, REPLY_TIMEOUT_MS);
    this.child.send(request);
    return reply;
  }
}

function nextReply(child: ChildProcess, timeoutMs: number): Promise<ServerReply> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: ServerReply): void => {
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`server child exited (${String(code)}) before replying`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`server child did not reply within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
