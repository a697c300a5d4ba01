// The soak's server child: the demo app (the top-level controllers/) on
// 127.0.0.1, sending its memory and pool figures to the parent every second,
// and running full collections when asked. Needs --expose-gc.

import 'reflect-metadata';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { HttpPoolApp } from 'httppool';
import type { MemorySample, SoakReply, SoakRequest, SoakServerConfig } from './protocol';

const SAMPLE_EVERY_MS = 1000;

async function main(): Promise<void> {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('the soak server needs --expose-gc');
  const config = JSON.parse(process.argv[2] ?? '{}') as SoakServerConfig;
  const app = await HttpPoolApp.bootstrap({
    controllers: path.join(__dirname, '..', '..', 'controllers'),
    workers: config.workers,
    queueSize: config.queueSize,
    logger: false,
  });
  const { port } = await app.listen(0, '127.0.0.1');
  const send = (reply: SoakReply): void => {
    process.send?.(reply);
  };

  const sample = async (): Promise<MemorySample> => {
    const connections = await new Promise<number>((resolve) =>
      app.server.getConnections((error, count) => resolve(error ? -1 : count)),
    );
    return { at: performance.now(), ...process.memoryUsage(), connections, stats: app.stats() };
  };

  const ticker = setInterval(() => {
    void sample().then((reading) => send({ type: 'sample', sample: reading }));
  }, SAMPLE_EVERY_MS);

  process.on('message', (request: SoakRequest) => {
    if (request.type === 'gc') {
      void (async () => {
        // Several passes with turns between: weak callbacks and finalizers
        // queued by one pass free more in the next.
        for (let pass = 0; pass < 4; pass++) {
          gc();
          await nextTurn();
        }
        send({ type: 'collected', sample: await sample() });
      })();
    } else {
      clearInterval(ticker);
      void app.close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
