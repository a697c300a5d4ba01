// Helpers for the static-file tests: real files in temp folders (removed after
// the suite), and an HTTP client that sends the path and headers exactly as
// given and hands back the raw bytes (fetch would decompress and normalise).

import { promises as fs } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import os from 'node:os';
import path from 'node:path';

export type Tree = Record<string, string | Buffer>;

/**
 * Call at `describe` level; returns `makeFolder(tree)`, which writes the files
 * into a new temp folder (subfolders made as needed) and resolves with its
 * real path. Every folder made is removed after the suite.
 *
 * @example
 * const makeFolder = tempFolders();
 * const root = await makeFolder({ 'a.css': 'a{}', 'sub/b.txt': 'b' });
 */
export function tempFolders(): (tree?: Tree) => Promise<string> {
  const made: string[] = [];
  after(async () => {
    await Promise.all(made.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
  });
  return async (tree = {}) => {
    const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'httppool-static-')));
    made.push(dir);
    await writeTree(dir, tree);
    return dir;
  };
}

export async function writeTree(dir: string, tree: Tree): Promise<void> {
  for (const [name, content] of Object.entries(tree)) {
    const file = path.join(dir, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request on its own connection to 127.0.0.1:`port`, path sent as is.
 *
 * @example
 * const answer = await get(port, '/public/a.css', { 'accept-encoding': 'br' });
 */
export function get(
  port: number,
  urlPath: string,
  headers: OutgoingHttpHeaders = {},
  method = 'GET',
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: urlPath, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () =>
        resolve({ status: res.statusCode as number, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

/** The names of `Content-*` headers in an answer. */
export function contentHeaders(headers: IncomingHttpHeaders): string[] {
  return Object.keys(headers).filter((name) => name.startsWith('content-'));
}

/** Bytes whose value depends on their offset, so any slice can be checked. */
export function patterned(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

/** Paths this process has open, from /proc (Linux): to prove a file handle was closed. */
export async function openPaths(): Promise<string[]> {
  const fds = await fs.readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => fs.readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target !== '');
}

/** Polls an async condition until it holds, failing after `capMs`: for server-side effects such as a closed file. */
export async function eventually(check: () => Promise<boolean>, what: string, capMs = 2000): Promise<void> {
  const deadline = Date.now() + capMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${capMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Creates a sparse file of `size` zero bytes: no disk space, no time. */
export async function sparseFile(file: string, size: number): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}
