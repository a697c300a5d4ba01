// fastify 5 as bench/servers/fastify.ts, but with its logger on, the way its
// docs show for production: pino at info, writing to a file through
// pino.destination({ sync: false }) (sonic-boom, asynchronous writes). fastify
// then logs two lines per request by default, "incoming request" and
// "request completed"; httppool's observed server logs one access line.

import 'reflect-metadata';
import Fastify from 'fastify';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { serve } from './serve';
import { HTML, SAMPLE_PAGE } from './work';

serve(async (config) => {
  if (config.logFile === undefined) throw new TypeError('fastify-logged needs config.logFile');
  const stream = pino.destination({ dest: config.logFile, sync: false });
  const app = Fastify({ logger: { level: 'info', stream } });
  app.get('/test', (_req, reply) => {
    void reply.type(HTML).send(SAMPLE_PAGE);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    address: app.server.address() as AddressInfo,
    // Every buffered line reaches the file before the parent counts them.
    close: async () => {
      await app.close();
      const closed = once(stream, 'close');
      stream.end();
      await closed;
    },
  };
});
