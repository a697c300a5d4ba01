// node:http with piscina by hand: the floor for httppool's thread route. The
// same task module, the same thread count, no framework.

import 'reflect-metadata';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import { listenPlain, serve } from './serve';

serve(async (config) => {
  const pool = new Piscina({
    filename: path.join(__dirname, 'cpu.task.js'),
    minThreads: config.threads ?? availableParallelism(),
    maxThreads: config.threads ?? availableParallelism(),
  });
  const server = createServer((req, res) => {
    if (req.url === '/ping') {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('pong');
      return;
    }
    pool.run({}).then(
      (answer: { body: unknown }) => {
        const body = JSON.stringify(answer.body);
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.setHeader('content-length', Buffer.byteLength(body));
        res.end(body);
      },
      () => {
        res.statusCode = 500;
        res.end();
      },
    );
  });
  const running = await listenPlain(server);
  return {
    ...running,
    close: async () => {
      await running.close();
      await pool.destroy();
    },
  };
});
