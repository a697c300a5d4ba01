// A multipart body (`multipart/form-data`) → fields and files, read whole
// before the request becomes a job, by busboy (the parser multer and
// @fastify/multipart use).
//
// Files go to a temporary folder (default) or into memory, within the
// route's limits; whatever was written is removed when the request ends,
// answered or not. A limit passed is a 413, a malformed body a 400.

import { createWriteStream, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError, PayloadTooLargeError, RouteDefinitionError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import { holdBodyOverflow, releaseBodyOverflow } from './body-limit';
import { addField, type FormFields } from './form-body';

/** One uploaded file. */
export interface UploadedFile {
  /** The form field it came in. */
  readonly field: string;
  /** The client's name for it (never a path to trust). */
  readonly filename: string | undefined;
  /** The type the client declared. */
  readonly mimeType: string;
  readonly size: number;
  /** Where it was written (`storage: 'disk'`); removed when the request ends. */
  readonly path?: string;
  /** Its bytes (`storage: 'memory'`). */
  readonly buffer?: Buffer;
}

/** The route option `multipart`: limits, and where files go. */
export interface MultipartOptions {
  /** Most files in one request (default 10). */
  files?: number;
  /** Largest file in bytes (default: the route's body limit). */
  fileSize?: number;
  /** Most non-file fields (default 100). */
  fields?: number;
  /** Largest field value in bytes (default 64 KiB). */
  fieldSize?: number;
  /** `'disk'`: files are written to a temporary folder (default); `'memory'`: kept as Buffers. */
  storage?: 'disk' | 'memory';
  /** The folder temporary upload folders are made in (default: the OS's). */
  dir?: string;
}

export type ResolvedMultipart = Required<Omit<MultipartOptions, 'fileSize'>> & { fileSize: number | undefined };

export const DEFAULT_MULTIPART: ResolvedMultipart = {
  files: 10,
  fileSize: undefined,
  fields: 100,
  fieldSize: 64 * 1024,
  storage: 'disk',
  dir: tmpdir(),
};

export interface MultipartBody {
  fields: FormFields;
  files: UploadedFile[];
}

// A part over its limit: the rest of the body is still read (drained, within
// the body limit), so the connection can stay open and the client read its 413.
const PART = { keepAlive: true };

type Busboy = typeof import('busboy');
let busboy: Busboy | undefined;

/** Reads a multipart body; rejects with the HttpError to answer. */
export async function readMultipart(
  req: HttpRequest,
  res: HttpResponse | undefined,
  options: ResolvedMultipart,
  bodyLimit: number,
): Promise<MultipartBody> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const parse = (busboy ??= require('busboy') as Busboy);
  let parser: ReturnType<Busboy>;
  try {
    parser = parse({
      headers: req.headers,
      limits: {
        files: options.files,
        fileSize: options.fileSize ?? bodyLimit,
        fields: options.fields,
        fieldSize: options.fieldSize,
      },
    });
  } catch (error) {
    throw new HttpError(400, 'Malformed multipart/form-data Content-Type (no boundary?)', { cause: error });
  }
  const fields: FormFields = Object.create(null) as FormFields;
  const files: UploadedFile[] = [];
  const writes: Promise<void>[] = [];
  let folder: Promise<string> | undefined;
  // Whatever reaches the disk goes when the request ends, however it ends.
  if (options.storage === 'disk') {
    res?.once('close', () => {
      if (folder !== undefined)
        void folder.then(
          (dir) => rm(dir, { recursive: true, force: true }),
          () => undefined,
        );
    });
  }

  return new Promise<MultipartBody>((resolve, reject) => {
    let settled = false;
    const overflow = { bodyOverflow: (error: unknown) => fail(error) };
    // busboy emits its limit events mid-write and touches its state after:
    // tearing it down must wait for it to return.
    const failLater = (error: unknown): void => process.nextTick(() => fail(error));
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      releaseBodyOverflow(req, overflow);
      req.unpipe(parser);
      parser.destroy();
      // Drain what is left, so the answer can be read; a body that then
      // passes the body limit is cut, as any other would be.
      holdBodyOverflow(req, { bodyOverflow: () => req.destroy() });
      req.resume();
      reject(error);
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated)
        failLater(new PayloadTooLargeError(options.fieldSize, `Field ${JSON.stringify(name)}`, PART));
      else addField(fields, name, value);
    });
    parser.on('file', (field, stream: Readable & { truncated?: boolean }, info) => {
      const limit = options.fileSize ?? bodyLimit;
      stream.once('limit', () => failLater(new PayloadTooLargeError(limit, 'An uploaded file', PART)));
      const file = { field, filename: info.filename, mimeType: info.mimeType };
      const index = writes.length;
      const write =
        options.storage === 'memory'
          ? collect(stream).then((buffer) => {
              files[index] = { ...file, size: buffer.length, buffer };
            })
          : (folder ??= mkdtemp(path.join(options.dir, 'httppool-upload-'))).then(async (dir) => {
              const target = path.join(dir, String(index));
              const output = createWriteStream(target);
              await pipeline(stream, output);
              files[index] = { ...file, size: output.bytesWritten, path: target };
            });
      // A write cut by a failure elsewhere must not be an unhandled rejection.
      write.catch(() => undefined);
      writes.push(write);
    });
    parser.on('filesLimit', () =>
      failLater(new PayloadTooLargeError(options.files, 'Files in the request (count)', PART)),
    );
    parser.on('fieldsLimit', () =>
      failLater(new PayloadTooLargeError(options.fields, 'Fields in the request (count)', PART)),
    );
    parser.on('error', (error: unknown) =>
      fail(new HttpError(400, 'Malformed multipart/form-data body', { cause: error })),
    );
    parser.on('close', () => {
      Promise.all(writes).then(
        () => {
          if (settled) return;
          settled = true;
          releaseBodyOverflow(req, overflow);
          resolve({ fields, files });
        },
        (error: unknown) => fail(error),
      );
    });
    req.once('close', () => {
      if (!req.complete) fail(new HttpError(400, 'The request body ended early'));
    });
    holdBodyOverflow(req, overflow);
    req.pipe(parser);
  });
}

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** Checks a route's `multipart` option. */
export function checkMultipart(value: unknown, routeName: string): ResolvedMultipart {
  if (value === undefined) return DEFAULT_MULTIPART;
  if (value === null || typeof value !== 'object') {
    throw new RouteDefinitionError(`Route ${routeName}: the multipart option must be an object`);
  }
  const resolved = { ...DEFAULT_MULTIPART, ...(value as MultipartOptions) };
  for (const key of ['files', 'fields', 'fieldSize'] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 1) {
      throw new RouteDefinitionError(`Route ${routeName}: multipart.${key} must be a positive integer`);
    }
  }
  if (resolved.fileSize !== undefined && (!Number.isSafeInteger(resolved.fileSize) || resolved.fileSize < 1)) {
    throw new RouteDefinitionError(`Route ${routeName}: multipart.fileSize must be a positive integer`);
  }
  if (resolved.storage !== 'disk' && resolved.storage !== 'memory') {
    throw new RouteDefinitionError(`Route ${routeName}: multipart.storage must be 'disk' or 'memory'`);
  }
  if (resolved.storage === 'disk' && !isFolder(resolved.dir)) {
    throw new RouteDefinitionError(`Route ${routeName}: multipart.dir ${JSON.stringify(resolved.dir)} is not a folder`);
  }
  return resolved;
}

function isFolder(dir: unknown): boolean {
  return typeof dir === 'string' && statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;
}
