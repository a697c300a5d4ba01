// @fastify/static on the static scenario's folder, with its defaults, logging
// off. It reads every file from disk per request (no memory cache) and does
// not compress: `preCompressed` (off by default) only serves `.br` / `.gz`
// files already on disk, and on-the-fly compression is @fastify/compress.

import 'reflect-metadata';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { serve } from './serve';

serve(async (config) => {
  if (config.staticRoot === undefined) throw new TypeError('static-fastify needs config.staticRoot');
  const app = Fastify({ logger: false });
  await app.register(fastifyStatic, { root: config.staticRoot, prefix: '/public/' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { address: app.server.address() as AddressInfo, close: () => app.close() };
});
