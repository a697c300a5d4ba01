// express.static (serve-static, on `send`) on the static scenario's folder,
// with its defaults: a stat and a file read per request, no compression.

import 'reflect-metadata';
import express from 'express';
import { createServer } from 'node:http';
import { listenPlain, serve } from './serve';

serve(async (config) => {
  if (config.staticRoot === undefined) throw new TypeError('static-express needs config.staticRoot');
  const app = express();
  app.use('/public', express.static(config.staticRoot));
  return listenPlain(createServer(app));
});
