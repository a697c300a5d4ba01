// What a file's answers carry: its version on disk, the validators made from
// it (ETag, Last-Modified), and each encoding's headers, built once so that
// answering is a `writeHead` with a ready object.

import type { Stats } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import path from 'node:path';
import { contentType as mimeContentType } from 'mime-types';
import type { Encoding } from './content-encoding';
import type { StaticMount } from './static-mount';

/** One version of a file: a change in any field means the file changed. */
export interface FileVersion {
  readonly realPath: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** A file replaced by another (rename over it, `cp -p` keeping size and mtime) has a new inode. */
  readonly ino: number;
  readonly dev: number;
}

/** One encoding of a file, ready to answer with. */
export interface Representation {
  readonly encoding: Encoding | undefined;
  readonly etag: string;
  /** The body in memory, or undefined when it streams from disk. */
  readonly body: Buffer | undefined;
  /** Headers of a 200 answer, the base of a 206 too. */
  readonly headers: Readonly<OutgoingHttpHeaders>;
  /** Headers of a 304: the validators and caching headers, no Content-* (RFC 9110 §15.4.5). */
  readonly notModified: Readonly<OutgoingHttpHeaders>;
}

/** What answering needs, for a cached file and a streamed one alike. */
export interface FileAnswer {
  readonly version: FileVersion;
  /** mtime in whole seconds, as HTTP dates compare. */
  readonly lastModifiedMs: number;
  readonly identity: Representation;
  readonly br: Representation | undefined;
  readonly gzip: Representation | undefined;
}

/** The version `stat` describes; `size` is the bytes actually read when a file shrank while being read. */
export function versionOf(realPath: string, stat: Stats, size = stat.size): FileVersion {
  return { realPath, size, mtimeMs: stat.mtimeMs, ino: stat.ino, dev: stat.dev };
}

export function sameVersion(a: FileVersion, b: FileVersion): boolean {
  return (
    a.realPath === b.realPath && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.dev === b.dev
  );
}

/**
 * Content-Type by the requested name's extension (a symlink `app.js` is
 * JavaScript whatever its target is called); unknown types are bytes.
 *
 * @example
 * contentTypeOf('/srv/public/site.css'); // 'text/css; charset=utf-8'
 */
export function contentTypeOf(name: string): string {
  return mimeContentType(path.extname(name)) || 'application/octet-stream';
}

/**
 * Builds the answer for one file version: the identity representation and
 * whichever compressed variants exist. A file with variants says
 * `Vary: Accept-Encoding` on every answer, identity and 304 included, so a
 * shared cache never hands a brotli body to a client that cannot read it.
 *
 * ETags are strong, `"<size hex>-<mtime ms hex>"` as nginx makes them, with
 * `-br` or `-gz` for a variant: different bytes, different tag (RFC 9110 §8.8.3).
 */
export function makeFileAnswer(
  version: FileVersion,
  mount: StaticMount,
  contentType: string,
  body: Buffer | undefined,
  variants: { br?: Buffer; gzip?: Buffer } = {},
): FileAnswer {
  const lastModifiedMs = Math.floor(version.mtimeMs / 1000) * 1000;
  const tag = `${version.size.toString(16)}-${Math.floor(version.mtimeMs).toString(16)}`;
  const vary = variants.br !== undefined || variants.gzip !== undefined;
  const common: OutgoingHttpHeaders = {
    'last-modified': new Date(lastModifiedMs).toUTCString(),
    'cache-control': mount.cacheControl,
    'accept-ranges': 'bytes',
  };
  if (vary) common.vary = 'Accept-Encoding';
  const make = (encoding: Encoding | undefined, etag: string, bytes: Buffer | undefined): Representation => {
    const headers: OutgoingHttpHeaders = {
      'content-type': contentType,
      'content-length': bytes === undefined ? version.size : bytes.length,
      etag,
      ...common,
    };
    if (encoding !== undefined) headers['content-encoding'] = encoding;
    const notModified: OutgoingHttpHeaders = { etag, 'cache-control': mount.cacheControl };
    if (vary) notModified.vary = 'Accept-Encoding';
    return { encoding, etag, body: bytes, headers, notModified };
  };
  return {
    version,
    lastModifiedMs,
    identity: make(undefined, `"${tag}"`, body),
    br: variants.br === undefined ? undefined : make('br', `"${tag}-br"`, variants.br),
    gzip: variants.gzip === undefined ? undefined : make('gzip', `"${tag}-gz"`, variants.gzip),
  };
}
