// The two ways an app serves HTTP: its own server (`app.server`), and
// `app.dispatch` glued into a plain node http server, which runs different
// code (node's own request and response classes, none of app.server's
// listeners or options). A suite that must hold for both runs once per mode.

import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpPoolApp, type HttpPoolOptions } from '../../src/index';
import { within } from './wait-for';

export interface ServedApp {
  app: HttpPoolApp;
  /** The server listening on 127.0.0.1: `app.server`, or the plain one. */
  server: Server;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** Closes the app and its server, and every connection to it: nothing is left listening. */
  close(): Promise<void>;
}

export interface ServerMode {
  readonly name: string;
  /** Bootstraps an app (logger off unless given) and serves it on 127.0.0.1 port 0. */
  serve(options?: HttpPoolOptions): Promise<ServedApp>;
}

/** How long a close may take before it fails the hook instead of hanging the run. */
const CLOSE_CAP_MS = 3000;

export const appServerMode: ServerMode = {
  name: 'app.server',
  async serve(options = {}) {
    const app = await HttpPoolApp.bootstrap({ logger: false, ...options });
    const { port } = await app.listen(0, '127.0.0.1');
    return { app, server: app.server, url: `http://127.0.0.1:${port}`, port, close: () => closeApp(app, app.server) };
  },
};

export const plainServerMode: ServerMode = {
  name: 'http.createServer(app.dispatch)',
  async serve(options = {}) {
    const app = await HttpPoolApp.bootstrap({ logger: false, ...options });
    const server = createServer(app.dispatch);
    try {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    } catch (error) {
      await app.close();
      throw error;
    }
    const { port } = server.address() as AddressInfo;
    return { app, server, url: `http://127.0.0.1:${port}`, port, close: () => closePlain(app, server) };
  },
};

export const serverModes: readonly ServerMode[] = [appServerMode, plainServerMode];

// A close that cannot finish (a handler still waiting on the test) fails the
// hook instead of hanging the run, and drops the connections so no handle leaks.
async function closeApp(app: HttpPoolApp, server: Server): Promise<void> {
  try {
    await within(app.close(), 'app.close()', CLOSE_CAP_MS);
  } catch (error) {
    server.closeAllConnections();
    throw error;
  }
}

// The plain server stops listening first (dropping its idle connections),
// the app drains its jobs, then whatever connection is left is cut: the
// plain server has no app.close() to end the keep-alive ones that went idle since.
async function closePlain(app: HttpPoolApp, server: Server): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  try {
    await closeApp(app, server);
  } finally {
    server.closeAllConnections();
  }
  await within(closed, 'the plain server to close', CLOSE_CAP_MS);
}
