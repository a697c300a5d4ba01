// fastify 5 with @fastify/under-pressure, as its README sets it up: 503 with
// Retry-After once the event loop lags past 50 ms (its own default is off).

import 'reflect-metadata';
import Fastify from 'fastify';
import underPressure from '@fastify/under-pressure';
import type { AddressInfo } from 'node:net';
import { serve } from './serve';
import { doWork, waitBriefly } from './work';

serve(async () => {
  const app = Fastify({ logger: false });
  await app.register(underPressure, { maxEventLoopDelay: 50, retryAfter: 1 });
  app.get('/work', () => doWork());
  app.get('/brief', () => waitBriefly());
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { address: app.server.address() as AddressInfo, close: () => app.close() };
});
