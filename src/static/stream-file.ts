// Streams a file too large for the cache from disk, whole or one range,
// never holding more than a read-stream buffer of it in memory.

import { promises as fs } from 'node:fs';
import { pipeline } from 'node:stream';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import { answerFile } from './answer-file';
import { contentTypeOf, makeFileAnswer, versionOf } from './representation';
import { isNotThere, OPEN_FLAGS } from './resolve-file';
import type { StaticMount } from './static-mount';

/**
 * Answers with the file at `realPath` from disk. Resolves false when the file
 * is gone (the caller answers 404), true once the answer is under way.
 *
 * The file handle is closed on every path: by this function when no body is
 * sent (HEAD, 304, 412, 416, the client already gone), otherwise by the read
 * stream when it ends, fails, or is destroyed because the client went away
 * (`pipeline` destroys it when the response closes early).
 *
 * @example
 * if (!(await streamFile(req, res, mount, found.realPath, found.name))) sendError(res, notFound);
 */
export async function streamFile(
  req: HttpRequest,
  res: HttpResponse,
  mount: StaticMount,
  realPath: string,
  name: string,
): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(realPath, OPEN_FLAGS);
  } catch (error) {
    if (isNotThere(error)) return false;
    throw error;
  }
  let handedOver = false;
  try {
    // Headers come from the open handle, so they describe the bytes it reads.
    const stat = await handle.stat();
    if (!stat.isFile()) return false;
    if (res.destroyed) return true; // the client left while the file was opening
    const file = makeFileAnswer(versionOf(realPath, stat), mount, contentTypeOf(name), undefined);
    answerFile(req, res, file, (response, _representation, range) => {
      const start = range?.start ?? 0;
      const end = range?.end ?? stat.size - 1;
      if (end < start) {
        response.end();
        return;
      }
      // 64 KiB reads (node's default), paced by the socket: memory stays flat however large the file.
      const stream = handle.createReadStream({ start, end });
      handedOver = true;
      // Registered before pipeline's own 'end' listener, so it runs before the
      // response is ended: a file that shrank under us leaves the body short of
      // its Content-Length, and only closing the connection tells the client.
      // (Once ended, a keep-alive response has let go of its socket.)
      stream.once('end', () => {
        if (stream.bytesRead < end - start + 1) {
          req.log.warn({ path: realPath, sent: stream.bytesRead, promised: end - start + 1 }, 'static file shrank');
          response.destroy();
        }
      });
      pipeline(stream, response, (error) => {
        // A client that leaves mid-file is routine; a read failing is not.
        if (error && (error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
          req.log.warn({ err: error, path: realPath }, 'static file stream failed');
        }
      });
    });
    return true;
  } finally {
    if (!handedOver) await handle.close();
  }
}
