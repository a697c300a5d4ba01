// express 5 with its defaults (ETag, x-powered-by), as most apps run it.

import 'reflect-metadata';
import express from 'express';
import { createServer } from 'node:http';
import { listenPlain, serve } from './serve';
import { SAMPLE_PAGE, doWork, users } from './work';

serve(async () => {
  const app = express();
  app.get('/test', (_req, res) => {
    res.type('html').send(SAMPLE_PAGE);
  });
  app.get('/api/users/:id', (req, res) => {
    const user = users.find(req.params.id);
    if (user === undefined) res.status(404).json({ statusCode: 404, error: 'Not Found', message: 'no such user' });
    else res.json(user);
  });
  app.get('/work', async (_req, res) => {
    res.json(await doWork());
  });
  return listenPlain(createServer(app));
});
