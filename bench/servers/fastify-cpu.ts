// fastify with the CPU route inline, as its docs would write it (no threads).

import 'reflect-metadata';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { cpuWork } from './cpu-work';
import { serve } from './serve';

serve(async () => {
  const app = Fastify({ logger: false });
  app.get('/cpu', () => cpuWork());
  app.get('/ping', (_req, reply) => {
    void reply.type('text/plain; charset=utf-8').send('pong');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { address: app.server.address() as AddressInfo, close: () => app.close() };
});
