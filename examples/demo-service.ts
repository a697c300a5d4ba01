// The demo service behind `npm start`: the top-level controllers/ folder,
// and examples/public/ under /public, served on PORT (default 9000), closed
// gracefully on SIGINT and SIGTERM; its OpenAPI document at /openapi.json and
// Swagger UI at /docs; the live status page at /_httppool (loopback only). PROCESSES=N runs it as a cluster of N processes
// (SIGHUP restarts them one at a time).

import 'reflect-metadata';
import path from 'node:path';
import { HttpPoolApp, runCluster, type HttpPoolOptions } from 'httppool';
import type { LoggerOptions } from 'pino';

// Human-readable lines on a terminal, JSON lines (for a log shipper) otherwise.
const DEMO_LOGGER: LoggerOptions = process.stdout.isTTY
  ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } }
  : {};

export async function startDemo(
  port: number,
  host: string,
  logger: HttpPoolOptions['logger'] = DEMO_LOGGER,
): Promise<HttpPoolApp> {
  const app = await HttpPoolApp.bootstrap({
    controllers: path.join(__dirname, '..', 'controllers'),
    workers: 300,
    queueSize: 100,
    // Compiled to dist/examples, so the repository's examples/public is two levels up.
    static: [{ prefix: '/public', root: path.join(__dirname, '..', '..', 'examples', 'public'), maxAge: 60 }],
    metrics: true,
    openapi: { ui: true, info: { title: 'httppool demo', version: '1.0.0' } },
    headers: { server: 'httppool-demo' },
    health: true,
    threads: true, // GET /cpu runs on them
    statusPage: true, // /_httppool, for loopback clients
    logger,
  });
  await app.listen(port, host);
  return app;
}

const ROUTES = '/test (also /api/users/1, /slow?ms=50, /stats, /public/, /metrics, /docs, /_httppool, /cpu?ms=5)';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 9000);
  const host = process.env.HOST ?? '127.0.0.1';
  const processes = Number(process.env.PROCESSES ?? 1);
  if (processes > 1) {
    const { primary } = await runCluster({ processes, start: () => startDemo(port, host) });
    if (primary !== undefined) {
      console.log(`httppool demo: ${processes} processes listening on http://${host}:${primary.port}${ROUTES}`);
    }
    return;
  }
  const app = await startDemo(port, host);
  const { port: bound } = app.server.address() as { port: number };
  console.log(`httppool demo listening on http://${host}:${bound}${ROUTES}`);
  const stop = (signal: string): void => {
    console.log(`${signal}: closing gracefully`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
