// One GET with exactly the headers given (node:http adds only Host and
// Connection; no Accept-Encoding, unlike fetch), for checking what a bench
// server answers before it is measured.

import { request, type IncomingHttpHeaders } from 'node:http';

export interface GetResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function httpGet(url: string, headers: Record<string, string> = {}): Promise<GetResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${url}: no answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}
