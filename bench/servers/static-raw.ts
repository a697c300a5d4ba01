// Baseline for the static scenario: node:http answering the folder's files
// from memory, read once at startup, with the headers httppool's mount sends
// (Content-Type, Content-Length, ETag, Last-Modified, Cache-Control,
// Accept-Ranges, Vary) made once per file: the floor a static server could
// reach. No conditional requests, no ranges. A request naming `br` in
// Accept-Encoding gets a brotli body made at startup (quality 5, as httppool's).

import 'reflect-metadata';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import path from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { listenPlain, serve } from './serve';

interface Representation {
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

const PREFIX = '/public/';

function representations(file: string): { identity: Representation; br: Representation } {
  const body = readFileSync(file);
  const stat = statSync(file);
  const etag = `${body.length.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}`;
  const common = {
    'content-type': 'text/css; charset=utf-8',
    'last-modified': stat.mtime.toUTCString(),
    'cache-control': 'public, max-age=0',
    'accept-ranges': 'bytes',
    vary: 'Accept-Encoding',
  };
  const br = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  return {
    identity: { body, headers: { ...common, 'content-length': body.length, etag: `"${etag}"` } },
    br: {
      body: br,
      headers: { ...common, 'content-length': br.length, etag: `"${etag}-br"`, 'content-encoding': 'br' },
    },
  };
}

serve(async (config) => {
  const root = config.staticRoot;
  if (root === undefined) throw new TypeError('static-raw needs config.staticRoot');
  const files = new Map<string, { identity: Representation; br: Representation }>();
  for (const name of readdirSync(root)) files.set(PREFIX + name, representations(path.join(root, name)));
  const server = createServer((req, res) => {
    const file = files.get(req.url as string);
    if (file === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const chosen = req.headers['accept-encoding']?.includes('br') === true ? file.br : file.identity;
    res.writeHead(200, chosen.headers);
    res.end(chosen.body);
  });
  return listenPlain(server);
});
