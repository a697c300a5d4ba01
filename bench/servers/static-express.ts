// express.static (serve-static, on `send`) on the static scenario's folder,
// with its defaults: a stat and a file read per request, no compression.

import 'reflect-metadata';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { serve } from './serve';

serve(async (config) => {
  if (config.staticRoot === undefined) throw new TypeError('static-express needs config.staticRoot');
  const app = express();
  app.use('/public', express.static(config.staticRoot));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
});
