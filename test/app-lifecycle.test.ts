// The app's own lifecycle: listen once, close once, and closing on signals.

import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppClosedError, Controller, Get, HttpPoolApp } from '../src/index';

@Controller()
class PingController {
  @Get('/ping')
  ping() {
    return { pong: true };
  }
}

/** Waits for the first line (from now on or already seen) that passes `match`. */
type LineWaiter = (match: (line: string) => boolean) => Promise<string>;

function lineWaiter(stream: NodeJS.ReadableStream): LineWaiter {
  const lines: string[] = [];
  const waiting: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop() as string;
    for (const text of parts) {
      lines.push(text);
      for (const waiter of waiting.splice(0)) {
        if (waiter.match(text)) waiter.resolve(text);
        else waiting.push(waiter);
      }
    }
  });
  return (match) =>
    new Promise((resolve) => {
      const seen = lines.find(match);
      if (seen !== undefined) resolve(seen);
      else waiting.push({ match, resolve });
    });
}

describe('app lifecycle', () => {
  it('listen() after close() rejects with AppClosedError and leaves nothing listening', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [PingController], logger: false });
    await app.listen(0, '127.0.0.1');
    await app.close();
    let error: unknown;
    await app.listen(0, '127.0.0.1').catch((caught: unknown) => (error = caught));
    expect(error).to.be.instanceOf(AppClosedError);
    expect(app.server.listening).to.equal(false);
  });

  it('close() while listen() binds its port: listen rejects, and the server does not stay listening', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [PingController], logger: false });
    const listening = app.listen(0, '127.0.0.1');
    const closed = app.close();
    let error: unknown;
    await listening.catch((caught: unknown) => (error = caught));
    await closed;
    expect(error).to.be.instanceOf(AppClosedError);
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.server.listening).to.equal(false);
  });

  it('listens with the backlog option: past it, the kernel completes no more connections while none is accepted', async function () {
    this.timeout(10_000);
    // A child whose event loop is blocked once it listens: only the kernel answers SYNs then.
    const script = `
      require('reflect-metadata');
      const { HttpPoolApp } = require(${JSON.stringify(require.resolve('../src/index'))});
      HttpPoolApp.bootstrap({ logger: false, backlog: Number(process.argv[1]) }).then(async (app) => {
        const { port } = await app.listen(0, '127.0.0.1');
        console.log(port);
        const until = Date.now() + 1500;
        while (Date.now() < until);
        process.exit(0);
      });`;
    const connectedOf = async (backlog: number): Promise<number> => {
      const child = spawn(process.execPath, ['-e', script, String(backlog)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
      const port = Number(chunk.toString().trim());
      const sockets = Array.from({ length: 20 }, () => connect(port, '127.0.0.1'));
      let connected = 0;
      for (const socket of sockets) {
        socket.on('connect', () => connected++);
        socket.on('error', () => {});
      }
      await sleep(500);
      const seen = connected;
      for (const socket of sockets) socket.destroy();
      await once(child, 'exit');
      return seen;
    };
    expect(await connectedOf(2)).to.be.at.most(3); // Linux completes backlog + 1
    expect(await connectedOf(64)).to.equal(20);
  });

  it('a second close() is the same promise', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [PingController], logger: false });
    await app.listen(0, '127.0.0.1');
    const first = app.close();
    expect(app.close()).to.equal(first);
    await first;
    expect(app.server.listening).to.equal(false);
  });

  describe('shutdownSignals', () => {
    const children: ChildProcess[] = [];
    afterEach(() => {
      for (const child of children.splice(0))
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    /** A child process serving SlowController, logging JSON lines to stdout; resolves with it and its port. */
    async function serve(shutdownSignals: unknown): Promise<{ child: ChildProcess; port: number; line: LineWaiter }> {
      const index = require.resolve('../src/index');
      const controller = require.resolve('./fixtures/lifecycle/slow.controller');
      const script = `
        const { HttpPoolApp } = require(${JSON.stringify(index)});
        const { SlowController } = require(${JSON.stringify(controller)});
        HttpPoolApp.bootstrap({ controllers: [SlowController], logger: { level: 'info' }, shutdownSignals: ${JSON.stringify(shutdownSignals)} })
          .then((app) => app.listen(0, '127.0.0.1'))
          .then((address) => console.log('PORT ' + address.port));
      `;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      const line = lineWaiter(child.stdout as NodeJS.ReadableStream);
      const portLine = await line((text) => text.startsWith('PORT '));
      return { child, port: Number(portLine.slice('PORT '.length)), line };
    }

    /** Starts the slow request; resolves once its handler runs in the child. */
    async function slowRequest(port: number, line: LineWaiter): Promise<{ answer: Promise<Response | Error> }> {
      const answer = fetch(`http://127.0.0.1:${port}/slow`).catch((error: unknown) => error as Error);
      await line((text) => text.includes('slow handler started'));
      // Wrapped: an async function returning the promise itself would wait for it.
      return { answer };
    }

    it('SIGTERM lets the request in flight finish, then the process ends by that signal', async () => {
      const { child, port, line } = await serve(true);
      const { answer } = await slowRequest(port, line);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const response = await answer;
      expect(response).to.be.instanceOf(Response);
      expect(await (response as Response).json()).to.deep.equal({ done: true });
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }).to.deep.equal({ code: null, signal: 'SIGTERM' });
    });

    it('a second signal while closing ends the process at once', async () => {
      const { child, port, line } = await serve(['SIGINT']);
      const { answer } = await slowRequest(port, line);
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      // Signals sent together may arrive as one: send the second once the first was handled.
      await line((text) => text.includes('signal received'));
      child.kill('SIGINT');
      const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect(signal).to.equal('SIGINT');
      expect(await answer).to.be.instanceOf(Error);
    });

    it('rejects a value that is not true, false or a list of signal names', async () => {
      let error: unknown;
      await HttpPoolApp.bootstrap({ shutdownSignals: ['SIGNOPE' as NodeJS.Signals] }).catch(
        (caught: unknown) => (error = caught),
      );
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(/shutdownSignals/);
    });
  });
});
