// fastify 5, written the way its docs show: no schemas, logging off.

import 'reflect-metadata';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { serve } from './serve';
import { HTML, SAMPLE_PAGE, doWork, users, waitBriefly } from './work';

serve(async () => {
  const app = Fastify({ logger: false });
  app.get('/test', (_req, reply) => {
    void reply.type(HTML).send(SAMPLE_PAGE);
  });
  app.get<{ Params: { id: string } }>('/api/users/:id', (req, reply) => {
    const user = users.find(req.params.id);
    if (user === undefined) void reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such user' });
    else void reply.send(user);
  });
  app.get('/work', () => doWork());
  app.get('/brief', () => waitBriefly());
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { address: app.server.address() as AddressInfo, close: () => app.close() };
});
