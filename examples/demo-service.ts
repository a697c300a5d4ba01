// The demo service behind `npm start`: the top-level controllers/ folder,
// and examples/public/ under /public, served on PORT (default 9000), closed
// gracefully on SIGINT and SIGTERM.

import 'reflect-metadata';
import path from 'node:path';
import { HttpPoolApp } from 'httppool';

export async function startDemo(port: number, host: string): Promise<HttpPoolApp> {
  const app = await HttpPoolApp.bootstrap({
    controllers: path.join(__dirname, '..', 'controllers'),
    workers: 300,
    queueSize: 100,
    // Compiled to dist/examples, so the repository's examples/public is two levels up.
    static: [{ prefix: '/public', root: path.join(__dirname, '..', '..', 'examples', 'public'), maxAge: 60 }],
  });
  await app.listen(port, host);
  return app;
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 9000);
  const host = process.env.HOST ?? '127.0.0.1';
  const app = await startDemo(port, host);
  const { port: bound } = app.server.address() as { port: number };
  console.log(
    `httppool demo listening on http://${host}:${bound}/test (also /api/users/1, /slow?ms=50, /stats, /public/)`,
  );
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
