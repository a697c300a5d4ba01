// Starts apps on a real port for HTTP tests, and closes them after the test.

import { HttpPoolApp, type HttpPoolOptions } from '../../src/index';
import { within } from './wait-for';

export interface StartedApp {
  app: HttpPoolApp;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
}

export interface AppStarterOptions {
  /** Close the apps after each test (`'each'`, the default) or after the suite (`'all'`). */
  scope?: 'each' | 'all';
  /** Runs before the apps close: release whatever handlers still wait on, so the close can drain. */
  beforeClose?: () => void;
}

/**
 * Call at `describe` level. Registers the hook that closes the apps first,
 * then returns `startApp`, which bootstraps an app (logger off unless given),
 * arms its close, and only then listens on 127.0.0.1 port 0.
 *
 * @example
 * const startApp = appStarter();
 * it('answers', async () => {
 *   const { url } = await startApp({ controllers: [HelloController] });
 *   expect((await fetch(`${url}/hello`)).status).to.equal(200);
 * });
 */
export function appStarter(options: AppStarterOptions = {}): (appOptions?: HttpPoolOptions) => Promise<StartedApp> {
  const started: HttpPoolApp[] = [];
  const closeAll = async (): Promise<void> => {
    options.beforeClose?.();
    const apps = started.splice(0);
    await Promise.all(apps.map(closeApp));
  };
  if (options.scope === 'all') after(closeAll);
  else afterEach(closeAll);

  return async (appOptions = {}) => {
    const app = await HttpPoolApp.bootstrap({ logger: false, ...appOptions });
    started.push(app);
    const address = await app.listen(0, '127.0.0.1');
    return { app, url: `http://127.0.0.1:${address.port}`, port: address.port };
  };
}

// A close that cannot finish (a handler still waiting on the test) fails the
// hook instead of hanging the run, and drops the connections so no handle leaks.
async function closeApp(app: HttpPoolApp): Promise<void> {
  try {
    await within(app.close(), 'app.close()', 3000);
  } catch (error) {
    app.server.closeAllConnections();
    throw error;
  }
}
