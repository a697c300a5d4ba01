// The process side of runCluster: builds and starts the app with the user's
// start(), tells the primary it listens, and closes it when the primary says
// so, when the primary is gone, or on SIGTERM / SIGINT (Ctrl-C reaches every
// process of the group, and the primary coordinates, so a process drains
// rather than dying on the spot). Once closed it exits when the primary says
// nothing more is on its way (see ClosedMessage).

import type { AddressInfo } from 'node:net';
import type { HttpPoolApp } from '../app';
import { isClusterMessage, type ClosedMessage, type ReadyMessage } from './cluster-messages';

/** How long the primary may take to answer `closed` before the process exits anyway. */
const EXIT_HANDSHAKE_MS = 2000;
/** Time for the refusals of the last connections to reach the primary before the channel dies with the process. */
const EXIT_FLUSH_MS = 20;

function exitOnceToldTo(): void {
  if (!process.connected) process.exit(0);
  const closed: ClosedMessage = { httppool: 'closed' };
  process.send?.(closed);
  setTimeout(() => process.exit(0), EXIT_HANDSHAKE_MS).unref();
}

export async function serveInClusterProcess(start: () => Promise<HttpPoolApp>): Promise<HttpPoolApp> {
  // Listening from the start: a drain (or Ctrl-C) can come while start() runs.
  let app: HttpPoolApp | undefined;
  let draining = false;
  const drain = (): void => {
    if (draining) return;
    draining = true;
    if (app === undefined) return; // start() is still running: closed once it has
    app.close().then(
      () => exitOnceToldTo(),
      (error: unknown) => {
        process.stderr.write(`httppool cluster process ${process.pid}: close() failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('message', (message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.httppool === 'drain') drain();
    // The answer to `closed`: every connection sent to this process was read (and refused).
    else if (message.httppool === 'exit') setTimeout(() => process.exit(0), EXIT_FLUSH_MS);
  });
  process.once('disconnect', drain);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, drain);
  try {
    app = await start();
  } catch (error) {
    // The primary counts the death; a crash loop stops its replacements.
    process.stderr.write(`httppool cluster process ${process.pid}: start() failed: ${String(error)}\n`);
    process.exit(1);
  }
  const address = app.server.address() as AddressInfo | null;
  if (address === null) {
    process.stderr.write(`httppool cluster process ${process.pid}: start() resolved before the app listened\n`);
    process.exit(1);
  }
  const ready: ReadyMessage = { httppool: 'ready', port: address.port };
  process.send?.(ready);
  if (draining) {
    draining = false;
    drain();
  }
  return app;
}
