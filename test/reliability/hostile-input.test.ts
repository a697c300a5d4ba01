// Hostile input: a seeded generator of malformed and hostile raw HTTP/1.1
// requests (bad request lines, huge or illegal headers, conflicting framing,
// bad encodings, traversal paths, NUL bytes, oversize and truncated bodies,
// slow senders) sent over raw sockets to a real app. None may get a 5xx, hang,
// or take the process down, and the app keeps answering between batches.
//
// The seed is fixed so a failure reproduces; HOSTILE_SEED=<n> tries another,
// HOSTILE_REPORT=1 prints the status counts per kind.

import { expect } from 'chai';
import { connect } from 'node:net';
import { Controller, Get, HttpError, Post, type HttpRequest, type HttpResponse } from '../../src/index';
import { appStarter } from '../helpers/start-app';
import { waitFor } from '../helpers/wait-for';
import { mulberry32 } from '../helpers/prng';

const SEED = Number(process.env.HOSTILE_SEED ?? 0x5eed_2024) >>> 0;
const FAST_CASES = 2_400;
const BATCH = 50;
/** A fast case that neither gets an answer nor sees its socket closed within this is a hang. */
const FAST_CASE_MS = 3_000;
/** Slow senders wait on headersTimeout / requestTimeout, which node checks once a second. */
const SLOW_CASE_MS = 6_000;

const BODY_LIMIT = 1024;
const MAX_HEADER_SIZE = 4096;
const HEADERS_TIMEOUT = 1000;
const REQUEST_TIMEOUT = 2000;

// ── the app ─────────────────────────────────────────────────────────────────

@Controller()
class HostileController {
  @Get('/ok')
  ok() {
    return { ok: true };
  }

  @Get('/users/:id')
  user(_res: HttpResponse, req: HttpRequest) {
    const id = req.params.id as string;
    if (!/^[1-9]\d{0,5}$/.test(id)) throw new HttpError(404, 'No such user');
    return { id };
  }

  @Post('/echo')
  async echo(_res: HttpResponse, req: HttpRequest) {
    let length = 0;
    for await (const chunk of req) length += (chunk as Buffer).length;
    return { length };
  }
}

// ── the generator ───────────────────────────────────────────────────────────

type Kind =
  | 'request-line'
  | 'header-overflow'
  | 'illegal-header'
  | 'cl-te-conflict'
  | 'bad-encoding'
  | 'traversal'
  | 'nul-bytes'
  | 'oversize-body'
  | 'truncated-body'
  | 'slow-sender';

/** What a case may end with: a status (the first final one), or the server closing without an answer. */
type Outcome = number | 'closed';

interface HostileCase {
  index: number;
  kind: Kind;
  /** What the bytes are, for failure messages. */
  label: string;
  /** Sent together, or one by one `pacingMs` apart. */
  chunks: string[];
  pacingMs?: number;
  /** Half-close the socket after the last chunk (a client that stops sending). */
  halfClose?: boolean;
  /** The outcomes this input may have. */
  allowed: readonly Outcome[];
}

type Template = Omit<HostileCase, 'index' | 'kind'>;

class Gen {
  constructor(readonly random: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  token(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += String.fromCharCode(this.pick([0x61, 0x41, 0x30]) + this.int(0, 9));
    return out;
  }

  bytes(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += String.fromCharCode(this.int(0, 255));
    return out;
  }
}

const HOST = 'Host: 127.0.0.1\r\n';

function head(requestLine: string, headers = ''): string {
  return `${requestLine}\r\n${HOST}${headers}\r\n`;
}

function chunked(body: string, chunkSize: number): string {
  let out = '';
  for (let at = 0; at < body.length; at += chunkSize) {
    const piece = body.slice(at, at + chunkSize);
    out += `${piece.length.toString(16)}\r\n${piece}\r\n`;
  }
  return `${out}0\r\n\r\n`;
}

const templates: Record<Exclude<Kind, 'slow-sender'>, Array<(g: Gen) => Template>> = {
  'request-line': [
    (g) => ({ label: 'random bytes', chunks: [`${g.bytes(g.int(1, 200))}\r\n\r\n`], allowed: [400] }),
    (g) => {
      const version = g.pick([
        'HTTP/2.0',
        'HTTP/1.2',
        'HTTP/3',
        'HTTP/1',
        'HTTP/1.1.1',
        'HTTPS/1.1',
        'http/1.1',
        'HTTP/9.9',
      ]);
      // llhttp reads any single-digit major.minor version; node answers 2.0 as it would 1.1.
      return {
        label: `version ${version}`,
        chunks: [head(`GET /ok ${version}`)],
        allowed: version === 'HTTP/2.0' ? [200] : [400],
      };
    },
    (g) => {
      // llhttp tolerates doubled spaces, and reads a bare `GET /ok` as HTTP/0.9.
      const [line, allowed] = g.pick<[string, Outcome[]]>([
        ['GET', [400]],
        ['GET /ok', [200, 400]],
        ['/ok HTTP/1.1', [400]],
        ['GET  /ok HTTP/1.1', [200, 400]],
        ['GET /ok  HTTP/1.1', [200, 400]],
        ['GET /ok HTTP/1.1 x', [400]],
        [' GET /ok HTTP/1.1', [400]],
        ['GET /ok HTTP/1.1\u0000', [400]],
      ]);
      return { label: `request line ${JSON.stringify(line)}`, chunks: [head(line)], allowed };
    },
    (g) => {
      const method = g.pick(['get', 'Get', 'pOST', 'FOO', 'G\tET', 'GETT', 'DELET']);
      return { label: `method ${JSON.stringify(method)}`, chunks: [head(`${method} /ok HTTP/1.1`)], allowed: [400] };
    },
    (g) => {
      const target = g.pick([
        'http://127.0.0.1/ok',
        'http://127.0.0.1:1/users/1',
        'https://example.com/ok',
        'http://user:pass@127.0.0.1/ok',
        '*',
        '?x=1',
        'ok',
      ]);
      const method = g.pick(['GET', 'OPTIONS']);
      // Absolute-form is legal HTTP/1.1: the router sees the path.
      return {
        label: `${method} ${target}`,
        chunks: [head(`${method} ${target} HTTP/1.1`)],
        // OPTIONS on a path served by other methods: 204 with Allow.
        allowed: [200, 204, 400, 404, 405],
      };
    },
    (g) => {
      const target = g.pick(['127.0.0.1:80', '127.0.0.1:22', 'example.com:443', '/ok']);
      // A tunnel request: answered 405 on the raw socket, which then closes (node alone would hang up silently).
      return { label: `CONNECT ${target}`, chunks: [head(`CONNECT ${target} HTTP/1.1`)], allowed: [405] };
    },
    (g) => {
      const path = g.pick(['/ok', '/users/1', '*', '/echo']);
      return { label: `TRACE ${path}`, chunks: [head(`TRACE ${path} HTTP/1.1`)], allowed: [400, 404, 405] };
    },
    () => ({ label: 'HTTP/2 preface', chunks: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'], allowed: ['closed', 400] }),
  ],
  'header-overflow': [
    (g) => {
      const size = MAX_HEADER_SIZE + g.int(1, 4000);
      return {
        label: `one ${size}-byte header value`,
        chunks: [head('GET /ok HTTP/1.1', `X-Big: ${'a'.repeat(size)}\r\n`)],
        allowed: [431],
      };
    },
    (g) => {
      const count = g.int(400, 700);
      const headers = Array.from({ length: count }, (_, i) => `X-H${i}: ${g.token(8)}\r\n`).join('');
      return { label: `${count} headers`, chunks: [head('GET /ok HTTP/1.1', headers)], allowed: [431] };
    },
    (g) => {
      const size = MAX_HEADER_SIZE + g.int(1, 2000);
      return {
        label: `${size}-byte header name`,
        chunks: [head('GET /ok HTTP/1.1', `X-${'n'.repeat(size)}: 1\r\n`)],
        allowed: [431],
      };
    },
    (g) => {
      const size = MAX_HEADER_SIZE + g.int(1, 3000);
      return { label: `${size}-byte URL`, chunks: [head(`GET /ok?q=${'q'.repeat(size)} HTTP/1.1`)], allowed: [431] };
    },
    (g) => {
      const size = MAX_HEADER_SIZE + g.int(1, 2000);
      return {
        label: `POST with a ${size}-byte cookie`,
        chunks: [head('POST /echo HTTP/1.1', `Content-Length: 2\r\nCookie: ${'c'.repeat(size)}\r\n`) + 'hi'],
        allowed: [431],
      };
    },
  ],
  'illegal-header': [
    (g) => {
      const name = g.pick(['Foo Bar', '(x)', 'X"Q', 'X@Y', '', 'X\u0000Y', 'X\u00ffY', 'X[Y]', 'X{Y}', 'X/Y', 'X;Y']);
      return {
        label: `header name ${JSON.stringify(name)}`,
        chunks: [head('GET /ok HTTP/1.1', `${name}: 1\r\n`)],
        allowed: [400],
      };
    },
    (g) => {
      const ctl = String.fromCharCode(g.pick([0, 1, 2, 7, 8, 0x0b, 0x0c, 0x0e, 0x1b, 0x1f, 0x7f]));
      return {
        label: `control ${JSON.stringify(ctl)} in a header value`,
        chunks: [head('GET /ok HTTP/1.1', `X-A: a${ctl}b\r\n`)],
        allowed: [400],
      };
    },
    () => ({
      label: 'bare CR in a header value',
      chunks: [head('GET /ok HTTP/1.1', 'X-A: a\rInjected: 1\r\n')],
      allowed: [400],
    }),
    () => ({
      label: 'bare LF line endings',
      chunks: ['GET /ok HTTP/1.1\nHost: 127.0.0.1\nX-A: 1\n\n'],
      allowed: [200, 400],
    }),
    (g) => ({
      label: 'obs-fold continuation line',
      chunks: [head('GET /ok HTTP/1.1', `X-A: a\r\n${g.pick([' ', '\t'])}folded\r\n`)],
      allowed: [200, 400],
    }),
    () => ({
      label: 'header line without a colon',
      chunks: [head('GET /ok HTTP/1.1', 'NoColonHere\r\n')],
      allowed: [400],
    }),
    () => ({ label: 'space before the colon', chunks: [head('GET /ok HTTP/1.1', 'X-A : 1\r\n')], allowed: [400] }),
    () => ({ label: 'no Host header', chunks: ['GET /ok HTTP/1.1\r\nX-A: 1\r\n\r\n'], allowed: [400] }),
    () => ({
      label: 'a request injected through CRLF in a value',
      chunks: [head('GET /ok HTTP/1.1', 'X-A: a\r\n\r\nGET /users/1 HTTP/1.1\r\nHost: x\r\n')],
      allowed: [200],
    }),
    (g) => ({
      label: 'hostile x-request-id',
      chunks: [
        head(
          'GET /ok HTTP/1.1',
          `X-Request-Id: ${g.pick(['a'.repeat(600), '../../etc', '<script>', '\u00ff\u00fe'])}\r\n`,
        ),
      ],
      allowed: [200],
    }),
    (g) => {
      const count = g.int(20, 120);
      const headers = Array.from({ length: count }, () => `X-Dup: ${g.token(3)}\r\n`).join('');
      return { label: `${count} duplicate headers`, chunks: [head('GET /ok HTTP/1.1', headers)], allowed: [200] };
    },
    (g) => {
      const [expectation, allowed] = g.pick<[string, Outcome[]]>([
        ['100-continue', [200]],
        ['teapot', [417]],
      ]);
      return {
        label: `Expect: ${expectation}`,
        chunks: [head('POST /echo HTTP/1.1', `Expect: ${expectation}\r\nContent-Length: 3\r\n`) + 'abc'],
        allowed,
      };
    },
  ],
  'cl-te-conflict': [
    () => ({
      label: 'Content-Length and chunked',
      chunks: [head('POST /echo HTTP/1.1', 'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\n'],
      allowed: [400],
    }),
    () => ({
      label: 'chunked and Content-Length, smuggling a GET',
      chunks: [
        head('POST /echo HTTP/1.1', 'Transfer-Encoding: chunked\r\nContent-Length: 40\r\n') +
          '0\r\n\r\nGET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n',
      ],
      allowed: [400],
    }),
    (g) => {
      const [a, b] = g.pick([
        [3, 5],
        [0, 3],
        [5, 50],
      ]) as [number, number];
      return {
        label: `Content-Length ${a} then ${b}`,
        chunks: [head('POST /echo HTTP/1.1', `Content-Length: ${a}\r\nContent-Length: ${b}\r\n`) + 'x'.repeat(b)],
        allowed: [400],
      };
    },
    (g) => {
      const value = g.pick(['abc', '-1', '+5', '1.5', '0x10', '5 5', '5,6', '1e3', '99999999999999999999999', '']);
      return {
        label: `Content-Length ${JSON.stringify(value)}`,
        chunks: [head('POST /echo HTTP/1.1', `Content-Length: ${value}\r\n`) + 'hello'],
        allowed: [400],
      };
    },
    (g) => {
      const te = g.pick(['identity', 'gzip', 'chunked, identity', 'xchunked', 'chunked;q=1', 'chunk', 'chunked\u000b']);
      return {
        label: `Transfer-Encoding ${JSON.stringify(te)}`,
        chunks: [head('POST /echo HTTP/1.1', `Transfer-Encoding: ${te}\r\n`) + '5\r\nhello\r\n0\r\n\r\n'],
        allowed: [400, 501],
      };
    },
    (g) => {
      const teLines = g.pick([
        'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n',
        'Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n',
        'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n',
      ]);
      return {
        label: `Transfer-Encoding twice (${JSON.stringify(teLines)})`,
        chunks: [head('POST /echo HTTP/1.1', teLines) + '5\r\nhello\r\n0\r\n\r\n'],
        allowed: [200, 400],
      };
    },
    (g) => {
      const size = g.pick(['zz', '-1', 'FFFFFFFFFFFFFFFFFFFF', '0x5', '5 5', ' 5', '', '5\u0000']);
      return {
        label: `chunk size ${JSON.stringify(size)}`,
        chunks: [head('POST /echo HTTP/1.1', 'Transfer-Encoding: chunked\r\n') + `${size}\r\nhello\r\n0\r\n\r\n`],
        allowed: [400],
      };
    },
    () => ({
      label: 'chunk data longer than its size',
      chunks: [head('POST /echo HTTP/1.1', 'Transfer-Encoding: chunked\r\n') + '3\r\nhello\r\n0\r\n\r\n'],
      allowed: [400],
    }),
    (g) => {
      // node caps chunk extensions at 16 KiB with a 413 of its own.
      const [extension, allowed] = g.pick<[string, Outcome[]]>([
        ['a=b', [200]],
        ['a="b"', [200]],
        ['x'.repeat(20_000), [413]],
        ['\u0001', [400]],
      ]);
      return {
        label: `chunk extension ${JSON.stringify(extension.slice(0, 10))} (${extension.length} bytes)`,
        chunks: [
          head('POST /echo HTTP/1.1', 'Transfer-Encoding: chunked\r\n') + `5;${extension}\r\nhello\r\n0\r\n\r\n`,
        ],
        allowed,
      };
    },
  ],
  'bad-encoding': [
    (g) => {
      const id = g.pick(['%', '%zz', '%E0%A4%A', '%C0%AE%C0%AE', '%ff', 'a%2', '%%30', '%u0041', '%F0%9F']);
      return { label: `path /users/${id}`, chunks: [head(`GET /users/${id} HTTP/1.1`)], allowed: [400, 404] };
    },
    (g) => {
      const path = g.pick(['/ok%', '/%zz', '/%ok', '/ok%C0', '/o%k']);
      return { label: `path ${path}`, chunks: [head(`GET ${path} HTTP/1.1`)], allowed: [400, 404] };
    },
    (g) => {
      const query = g.pick(['q=%zz', '%', 'a=%E0%A4%A', 'a=%C0%AE', '%%', 'a[b]=%ff&a=1', 'a=1&a=%']);
      return { label: `query ?${query}`, chunks: [head(`GET /ok?${query} HTTP/1.1`)], allowed: [200, 400] };
    },
    (g) => {
      const bytes = g.pick(['\u00e9', '\u00ff\u00fe', '\u0080']);
      return {
        label: 'raw non-ASCII bytes in the path',
        chunks: [head(`GET /users/${bytes} HTTP/1.1`)],
        allowed: [400, 404],
      };
    },
  ],
  traversal: [
    (g) => {
      const path = g.pick([
        '/../../etc/passwd',
        '/users/../ok',
        '/users/..%2f..%2fetc%2fpasswd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/users/%2e%2e',
        '/users/%2e%2e%2f1',
        '/users/%5c..%5c..%5cwindows',
        '/users/..\\..\\windows',
        '//ok',
        '///etc/passwd',
        '/users//1',
        '/./ok',
        '/ok/.',
        '/ok/',
        '/users/1/../2',
        '/users/1%2f..%2f2',
        '/users/.%2e/.%2e',
        '/%2fok',
        '/users/1%00',
        '/users/1;x=..',
      ]);
      return { label: `path ${path}`, chunks: [head(`GET ${path} HTTP/1.1`)], allowed: [400, 404] };
    },
  ],
  'nul-bytes': [
    (g) => {
      const path = g.pick(['/ok\u0000', '/\u0000', '/users/1\u0000../x', '/ok\u0000.html', '/ok?x=\u0000']);
      return { label: `raw NUL in ${JSON.stringify(path)}`, chunks: [head(`GET ${path} HTTP/1.1`)], allowed: [400] };
    },
    (g) => {
      const path = g.pick(['/ok%00', '/users/%00', '/%00', '/users/1%00.json']);
      return { label: `encoded NUL in ${path}`, chunks: [head(`GET ${path} HTTP/1.1`)], allowed: [400, 404] };
    },
    () => ({ label: 'NUL before the method', chunks: [`\u0000${head('GET /ok HTTP/1.1')}`], allowed: [400] }),
  ],
  'oversize-body': [
    (g) => {
      const length = BODY_LIMIT + g.int(1, 4 * BODY_LIMIT);
      return {
        label: `Content-Length ${length}, body sent`,
        chunks: [head('POST /echo HTTP/1.1', `Content-Length: ${length}\r\n`) + 'b'.repeat(length)],
        allowed: [413],
      };
    },
    (g) => {
      const length = g.pick([BODY_LIMIT * 1024, 2 ** 31, 2 ** 53 - 1]);
      return {
        label: `Content-Length ${length}, a few bytes sent`,
        chunks: [head('POST /echo HTTP/1.1', `Content-Length: ${length}\r\n`) + 'b'.repeat(g.int(0, 100))],
        allowed: [413],
      };
    },
    (g) => {
      const length = BODY_LIMIT + g.int(1, 4 * BODY_LIMIT);
      return {
        label: `chunked ${length} bytes`,
        chunks: [
          head('POST /echo HTTP/1.1', 'Transfer-Encoding: chunked\r\n') + chunked('c'.repeat(length), g.int(50, 700)),
        ],
        allowed: [413],
      };
    },
  ],
  'truncated-body': [
    (g) => {
      const length = g.int(10, BODY_LIMIT);
      const sent = g.int(0, length - 1);
      // GET /ok answers before its body arrives; the parser's EOF error then adds a 400.
      const [requestLine, allowed] = g.pick<[string, Outcome[]]>([
        ['POST /echo HTTP/1.1', [400]],
        ['GET /ok HTTP/1.1', [200]],
      ]);
      return {
        label: `${requestLine}, Content-Length ${length}, ${sent} bytes sent, then EOF`,
        chunks: [head(requestLine, `Content-Length: ${length}\r\n`) + 't'.repeat(sent)],
        halfClose: true,
        allowed,
      };
    },
    (g) => {
      const tail = g.pick(['5\r\nab', '5\r\nhello\r\n', '5\r\nhello', 'a', '0\r\n']);
      return {
        label: `chunked body cut at ${JSON.stringify(tail)}, then EOF`,
        chunks: [head('POST /echo HTTP/1.1', 'Transfer-Encoding: chunked\r\n') + tail],
        halfClose: true,
        allowed: [400],
      };
    },
    (g) => {
      const cut = g.pick([
        'GET /ok HTTP/1.1\r\nHost: 127',
        'GET /ok HTTP/1.1\r\n',
        'GET /o',
        'POST /echo HTTP/1.1\r\nContent-Len',
      ]);
      return {
        label: `head cut at ${JSON.stringify(cut)}, then EOF`,
        chunks: [cut],
        halfClose: true,
        allowed: [400],
      };
    },
  ],
};

const kindWeights: Array<[Exclude<Kind, 'slow-sender'>, number]> = [
  ['request-line', 14],
  ['header-overflow', 8],
  ['illegal-header', 14],
  ['cl-te-conflict', 14],
  ['bad-encoding', 10],
  ['traversal', 10],
  ['nul-bytes', 6],
  ['oversize-body', 10],
  ['truncated-body', 10],
];

/** A few slow senders, always the same set: each waits on a server-side timeout. */
function slowSenders(g: Gen): Template[] {
  const byteByByte = (text: string): string[] => [...text];
  return [
    {
      label: 'head sent one byte per 150 ms',
      chunks: byteByByte(head('GET /ok HTTP/1.1', 'X-Slow: 1234567890\r\n')),
      pacingMs: 150,
      allowed: [408],
    },
    {
      label: 'head sent one byte per 300 ms',
      chunks: byteByByte(head('GET /users/1 HTTP/1.1')),
      pacingMs: 300,
      allowed: [408],
    },
    { label: 'head stopped midway', chunks: ['GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: '], allowed: [408] },
    { label: 'request line stopped midway', chunks: [`GET /${g.token(10)}`], allowed: [408] },
    {
      label: 'body stopped midway (Content-Length 100, 10 sent)',
      chunks: [head('POST /echo HTTP/1.1', 'Content-Length: 100\r\n') + '0123456789'],
      allowed: [408],
    },
    {
      label: 'chunked body stopped midway',
      chunks: [head('POST /echo HTTP/1.1', 'Transfer-Encoding: chunked\r\n') + '5\r\nhello\r\n'],
      allowed: [408],
    },
    { label: 'connected, sent nothing', chunks: [], allowed: [408] },
  ];
}

function generate(seed: number): { fast: HostileCase[]; slow: HostileCase[] } {
  const g = new Gen(mulberry32(seed));
  const totalWeight = kindWeights.reduce((sum, [, weight]) => sum + weight, 0);
  const fast: HostileCase[] = [];
  for (let index = 0; index < FAST_CASES; index++) {
    let roll = g.random() * totalWeight;
    const [kind] = kindWeights.find(([, weight]) => (roll -= weight) < 0) ?? (kindWeights[0] as [Kind, number]);
    const template = g.pick(templates[kind as Exclude<Kind, 'slow-sender'>]);
    fast.push({ index, kind, ...template(g) });
  }
  const slow = slowSenders(g).map((template, i) => ({
    index: FAST_CASES + i,
    kind: 'slow-sender' as const,
    ...template,
  }));
  return { fast, slow };
}

// ── the client ──────────────────────────────────────────────────────────────

/** Sent once the hostile request got a keep-alive answer: the connection must still serve. */
const FOLLOW_UP = 'GET /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';

interface ParsedResponse {
  status: number;
  keepAlive: boolean;
  /** The whole response (head, and body by Content-Length or chunks) has arrived. */
  complete: boolean;
  /** For a complete 4xx/5xx: its body is httppool's JSON error shape with the same status. */
  jsonError?: boolean;
}

interface Exchange {
  hostileCase: HostileCase;
  responses: ParsedResponse[];
  followUpSent: boolean;
  hung: boolean;
  /** Bytes that do not parse as an HTTP/1.1 response. */
  garbage: string | undefined;
  outcome: Outcome | 'hang';
}

/** Splits what the server wrote into responses; stops at the first incomplete one. */
function parseResponses(data: Buffer): { responses: ParsedResponse[]; garbage: string | undefined } {
  const responses: ParsedResponse[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) break;
    const lines = data.toString('latin1', at, end).split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3}) /.exec(lines[0] ?? '');
    if (match === null) return { responses, garbage: data.toString('latin1', at, Math.min(end, at + 200)) };
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const status = Number(match[1]);
    const keepAlive = headers.get('connection')?.toLowerCase() !== 'close';
    const bodyStart = end + 4;
    let bodyEnd: number | undefined;
    // 1xx, 204 and 304 never have a body (RFC 9110 §6.4.1).
    if (status < 200 || status === 204 || status === 304) bodyEnd = bodyStart;
    else if (headers.has('content-length')) bodyEnd = bodyStart + Number(headers.get('content-length'));
    else if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') bodyEnd = chunkedEnd(data, bodyStart);
    else {
      // Neither (node's own bare error answers): the body runs to the close.
      responses.push({ status, keepAlive: false, complete: true, ...(status >= 400 ? { jsonError: false } : {}) });
      break;
    }
    const complete = bodyEnd !== undefined && data.length >= bodyEnd;
    const jsonError =
      status >= 400 && complete ? isJsonError(data.toString('utf8', bodyStart, bodyEnd), status) : undefined;
    responses.push({ status, keepAlive, complete, ...(jsonError === undefined ? {} : { jsonError }) });
    if (!complete) break;
    at = bodyEnd as number;
  }
  return { responses, garbage: undefined };
}

function isJsonError(body: string, status: number): boolean {
  try {
    const parsed = JSON.parse(body) as { statusCode?: unknown; error?: unknown; message?: unknown };
    return parsed.statusCode === status && typeof parsed.error === 'string' && typeof parsed.message === 'string';
  } catch {
    return false;
  }
}

/** Where a chunked body that starts at `at` ends, once all of it has arrived. */
function chunkedEnd(data: Buffer, at: number): number | undefined {
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.toString('latin1', at, lineEnd), 16);
    if (Number.isNaN(size)) return undefined;
    // The last chunk has no trailers here: node writes none.
    if (size === 0) return lineEnd + 4;
    at = lineEnd + 2 + size + 2;
  }
}

/** Sends one hostile case on its own connection; resolves when the server closed it or the case timed out. */
function exchange(port: number, hostileCase: HostileCase, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    const result: Exchange = {
      hostileCase,
      responses: [],
      followUpSent: false,
      hung: false,
      garbage: undefined,
      outcome: 'closed',
    };
    let pacer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      result.hung = true;
      socket.destroy();
    }, timeoutMs);

    const send = (next: number): void => {
      if (socket.destroyed || socket.writableEnded) return;
      if (next >= hostileCase.chunks.length) {
        if (hostileCase.halfClose) socket.end();
        return;
      }
      if (hostileCase.pacingMs === undefined) {
        socket.write(Buffer.from(hostileCase.chunks.join(''), 'latin1'));
        send(hostileCase.chunks.length);
      } else {
        socket.write(Buffer.from(hostileCase.chunks[next] as string, 'latin1'));
        pacer = setTimeout(() => send(next + 1), hostileCase.pacingMs);
      }
    };

    socket.once('connect', () => send(0));
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      const parsed = parseResponses(Buffer.concat(received));
      const last = parsed.responses.at(-1);
      const finals = parsed.responses.filter((response) => response.status >= 200);
      if (
        parsed.garbage === undefined &&
        !result.followUpSent &&
        !hostileCase.halfClose &&
        finals.length > 0 &&
        last !== undefined &&
        last.complete &&
        last.keepAlive &&
        !socket.writableEnded
      ) {
        result.followUpSent = true;
        socket.end(FOLLOW_UP);
      }
    });
    // Resets and broken pipes are the server hanging up on a hostile client: a close like any other.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      clearTimeout(pacer);
      const parsed = parseResponses(Buffer.concat(received));
      result.responses = parsed.responses;
      result.garbage = parsed.garbage;
      const first = parsed.responses.find((response) => response.status >= 200);
      result.outcome = result.hung ? 'hang' : (first?.status ?? 'closed');
      resolve(result);
    });
  });
}

// ── the test ────────────────────────────────────────────────────────────────

describe('hostile input: seeded malformed and hostile raw requests', function () {
  this.timeout(30_000);
  const startApp = appStarter();

  it(`gets no 5xx, no hang and no crash, and the app keeps answering (seed ${SEED})`, async () => {
    const { app, url, port } = await startApp({
      controllers: [HostileController],
      logger: false,
      bodyLimit: BODY_LIMIT,
      maxHeaderSize: MAX_HEADER_SIZE,
      headersTimeout: HEADERS_TIMEOUT,
      requestTimeout: REQUEST_TIMEOUT,
    });
    const { fast, slow } = generate(SEED);
    const exchanges: Exchange[] = [];
    const healthFailures: string[] = [];

    const runBatch = async (batch: HostileCase[], timeoutMs: number): Promise<void> => {
      exchanges.push(...(await Promise.all(batch.map((hostileCase) => exchange(port, hostileCase, timeoutMs)))));
      // After every batch the app still serves a normal request, and no worker is stuck.
      const health = await fetch(`${url}/ok`);
      const body = await health.text();
      if (health.status !== 200) healthFailures.push(`after case #${batch.at(-1)?.index}: ${health.status} ${body}`);
      await waitFor(
        () => app.pool.stats().busy === 0 && app.pool.stats().queued === 0,
        `the pool to be idle after case #${batch.at(-1)?.index} (seed ${SEED}): ${JSON.stringify(app.pool.stats())}`,
      );
    };

    for (let at = 0; at < fast.length; at += BATCH) {
      await runBatch(fast.slice(at, at + BATCH), FAST_CASE_MS);
      // Hangs cost seconds each: report the first ones rather than run into mocha's timeout.
      if (exchanges.some((x) => x.hung)) break;
    }
    // The slow senders last, all together: each waits out a server-side timeout.
    await runBatch(slow, SLOW_CASE_MS);

    const describeCase = (x: Exchange): string =>
      `seed ${SEED} #${x.hostileCase.index} [${x.hostileCase.kind}] ${x.hostileCase.label}: ` +
      `got ${x.outcome} (statuses ${x.responses.map((r) => r.status).join(',') || 'none'})`;
    const table = countsByKind(exchanges);
    if (process.env.HOSTILE_REPORT) console.log(`seed ${SEED}\n${table}`);

    const hangs = exchanges.filter((x) => x.hung).map(describeCase);
    expect(
      hangs.slice(0, 20),
      `cases that got neither an answer nor a close (${hangs.length})\n${table}`,
    ).to.deep.equal([]);
    const garbage = exchanges
      .filter((x) => x.garbage !== undefined)
      .map((x) => `${describeCase(x)}: ${JSON.stringify(x.garbage)}`);
    expect(garbage.slice(0, 20), `answers that are not HTTP (${garbage.length})`).to.deep.equal([]);
    const bareErrors = exchanges
      .filter((x) => x.responses.some((r) => r.jsonError === false))
      .map((x) => `${describeCase(x)} (statuses ${x.responses.map((r) => r.status).join(',')})`);
    expect(bareErrors.slice(0, 20), `error answers not in the JSON error shape (${bareErrors.length})`).to.deep.equal(
      [],
    );
    const serverErrors = exchanges.filter((x) => x.responses.some((r) => r.status >= 500)).map(describeCase);
    expect(serverErrors.slice(0, 20), `cases answered with a 5xx (${serverErrors.length})\n${table}`).to.deep.equal([]);
    const unexpected = exchanges
      .filter((x) => !x.hung && !x.hostileCase.allowed.includes(x.outcome as Outcome))
      .map((x) => `${describeCase(x)}, expected one of ${x.hostileCase.allowed.join('/')}`);
    expect(unexpected.slice(0, 20), `cases with an unexpected outcome (${unexpected.length})\n${table}`).to.deep.equal(
      [],
    );
    // A connection that survived its hostile request still serves the next one correctly.
    const badFollowUps = exchanges
      .filter((x) => x.followUpSent && x.responses.filter((r) => r.status >= 200).at(-1)?.status !== 200)
      .map(describeCase);
    expect(badFollowUps.slice(0, 20), 'follow-up requests on surviving connections not answered 200').to.deep.equal([]);
    expect(healthFailures, 'normal requests after a batch').to.deep.equal([]);

    // Every kind was exercised, and each produced the answer it is designed to.
    const outcomesOf = (kind: Kind): Array<Outcome | 'hang'> =>
      exchanges.filter((x) => x.hostileCase.kind === kind).map((x) => x.outcome);
    for (const [kind] of kindWeights) expect(outcomesOf(kind).length, `${kind} cases`).to.be.greaterThan(50);
    expect(outcomesOf('header-overflow'), 'header overflow').to.satisfy((all: Outcome[]) =>
      all.every((o) => o === 431),
    );
    expect(outcomesOf('oversize-body'), 'oversize bodies').to.satisfy((all: Outcome[]) => all.every((o) => o === 413));
    expect(outcomesOf('cl-te-conflict'), 'conflicting framing').to.include(400);
    expect(outcomesOf('traversal'), 'traversal').to.satisfy((all: Outcome[]) =>
      all.every((o) => o === 400 || o === 404),
    );
    expect(outcomesOf('bad-encoding'), 'bad encoding').to.include(400);
    expect(outcomesOf('slow-sender'), 'slow senders').to.include(408);
    expect(exchanges).to.have.lengthOf(fast.length + slow.length);

    // The process is still up and serving.
    expect((await fetch(`${url}/users/7`)).status).to.equal(200);
    expect(app.pool.stats()).to.include({ busy: 0, queued: 0 });
  });
});

/** `kind: 400×12 404×3 closed×1`, one line per kind. */
function countsByKind(exchanges: Exchange[]): string {
  const byKind = new Map<Kind, Map<Outcome | 'hang', number>>();
  for (const x of exchanges) {
    const counts = byKind.get(x.hostileCase.kind) ?? new Map<Outcome | 'hang', number>();
    counts.set(x.outcome, (counts.get(x.outcome) ?? 0) + 1);
    byKind.set(x.hostileCase.kind, counts);
  }
  return [...byKind]
    .map(([kind, counts]) => `  ${kind}: ${[...counts].map(([outcome, n]) => `${outcome}×${n}`).join(' ')}`)
    .join('\n');
}
