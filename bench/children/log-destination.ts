// Log destination micro-benchmark, one destination per process (see bench/lib/fork-child.ts):
//   log-destination <none|log-file|sonic-boom|write-stream> <file> <lines>
// logs `lines` access lines like httppool's through pino, 50 per event-loop
// turn (as a busy server would), and reports the process's CPU time per line:
// every thread's, so file writes done on libuv's pool count too. One warm-up
// pass, then the measured pass; the file is then flushed and its lines
// counted, so a destination cannot look cheap by losing them.

import { once } from 'node:events';
import fs from 'node:fs';
import pino, { type DestinationStream } from 'pino';
import { LogFile } from 'httppool';
import { childMain } from '../lib/fork-child';

const PER_TURN = 50;

function destination(kind: string, file: string): DestinationStream & { flush?(cb: () => void): void } {
  switch (kind) {
    case 'none':
      return { write: () => {} };
    case 'log-file':
      return new LogFile(file);
    case 'sonic-boom':
      // pino's recipe for the least overhead (its docs/asynchronous.md).
      return pino.destination({ dest: file, sync: false, minLength: 4096 });
    case 'write-stream':
      return fs.createWriteStream(file, { flags: 'a' });
    default:
      throw new TypeError(`unknown destination ${kind}`);
  }
}

async function pass(logger: pino.Logger, lines: number, from: number): Promise<void> {
  for (let i = 0; i < lines; i++) {
    const n = from + i;
    logger.info(
      {
        reqId: `5f3a9c1e-${n.toString(36)}`,
        method: 'GET',
        url: '/test',
        route: '/test',
        status: 200,
        ms: 0.412,
        queueMs: 0.003,
        runMs: 0.091,
      },
      'request',
    );
    if (i % PER_TURN === PER_TURN - 1) await new Promise((resolve) => setImmediate(resolve));
  }
}

async function settle(stream: ReturnType<typeof destination>): Promise<void> {
  if (stream instanceof fs.WriteStream) {
    stream.end();
    await once(stream, 'finish');
  } else if (stream.flush !== undefined) {
    await new Promise<void>((resolve) => stream.flush?.(resolve));
  }
}

childMain(async ([kind, file, linesArg]) => {
  const lines = Number(linesArg);
  const stream = destination(kind as string, file as string);
  const logger = pino({ level: 'info' }, stream);
  await pass(logger, lines, 0);
  const before = process.cpuUsage();
  await pass(logger, lines, lines);
  await settle(stream);
  const used = process.cpuUsage(before);
  const written = kind === 'none' ? 2 * lines : fs.readFileSync(file as string, 'utf8').split('\n').length - 1;
  return { cpuUsPerLine: (used.user + used.system) / lines, written, expected: 2 * lines };
});
