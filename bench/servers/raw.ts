// Baseline: node:http with hand-written routing, the floor every framework is compared to.

import 'reflect-metadata';
import { createServer, type ServerResponse } from 'node:http';
import { listenPlain, serve } from './serve';
import { HTML, SAMPLE_PAGE, doWork, users, waitBriefly } from './work';

const USERS_PREFIX = '/api/users/';
// What a hand-written shed answers: the same body and headers as httppool's 503.
const SHED_BODY = JSON.stringify({
  statusCode: 503,
  error: 'Service Unavailable',
  message: 'Server is at capacity, try again later',
});

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

serve(async () => {
  const server = createServer((req, res) => {
    const url = req.url as string;
    if (url === '/test') {
      res.setHeader('content-type', HTML);
      res.end(SAMPLE_PAGE);
    } else if (url.startsWith(USERS_PREFIX)) {
      const user = users.find(url.slice(USERS_PREFIX.length));
      if (user === undefined) sendJson(res, 404, { statusCode: 404, error: 'Not Found', message: 'no such user' });
      else sendJson(res, 200, user);
    } else if (url === '/hold') {
      res.statusCode = 503;
      res.setHeader('retry-after', '1');
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('content-length', Buffer.byteLength(SHED_BODY));
      res.end(SHED_BODY);
    } else if (url === '/work' || url === '/brief') {
      (url === '/work' ? doWork() : waitBriefly()).then(
        (body) => sendJson(res, 200, body),
        () => sendJson(res, 500, { statusCode: 500 }),
      );
    } else {
      sendJson(res, 404, { statusCode: 404, error: 'Not Found', message: 'no such route' });
    }
  });
  return listenPlain(server);
});
