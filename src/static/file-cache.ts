// FileCache: small files in memory, in an LRU bounded by total bytes, each
// entry checked against the disk at most every `revalidateMs`.
//
//   request ──► fresh(key)? ──yes──► answer from memory (a hit)
//                   │ no: absent, or last checked too long ago
//                   ▼
//               lookup(key): one disk trip per key however many requests wait
//                   ├─ same size, mtime, inode as cached ─► keep, checkedAt = now (a hit)
//                   ├─ small file ─► read, compress, cache (a miss)
//                   ├─ large file ─► stream it (a miss; never cached)
//                   └─ gone ─► drop the entry, 404
//
// Keys are decoded URL paths (`/public/css/site.css`). A key enters the
// cache only after its path passed every safety check, so a hit needs none.

import { promises as fs, type Stats } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { compressVariants, isCompressible, MIN_COMPRESS_BYTES, type CompressedVariants } from './content-encoding';
import { makeFileAnswer, sameVersion, versionOf, contentTypeOf, type FileAnswer } from './representation';
import { isNotThere, OPEN_FLAGS, resolveFile } from './resolve-file';
import type { ResolvedStaticCache } from './static-options';
import type { StaticMount } from './static-mount';

/** A file held in memory, with its compressed variants. */
export interface CachedFile extends FileAnswer {
  /** Bytes held: the body plus its variants. */
  readonly bytes: number;
  /** When the file was last found unchanged on disk (`Date.now()`). */
  checkedAt: number;
}

/** What a trip to the disk found for a key. */
export type Lookup =
  | { kind: 'cached'; file: CachedFile; fromDisk: boolean }
  | { kind: 'stream'; realPath: string; name: string }
  | { kind: 'redirect' }
  | { kind: 'missing' };

const MISSING: Lookup = { kind: 'missing' };

/**
 * The static files' figures, as `app.stats().static` shows them.
 *
 * @example
 * const { hits, misses, bytes } = app.stats().static;
 */
export interface StaticStats {
  /** Answers served from memory (a revalidation that found the file unchanged counts). */
  hits: number;
  /** Answers whose file was read from disk: loaded into the cache, or streamed. */
  misses: number;
  /** Files dropped to make room for others. */
  evictions: number;
  /** Files held now. */
  entries: number;
  /** Bytes held now, compressed variants included. */
  bytes: number;
}

export class FileCache {
  hits = 0;
  misses = 0;
  private evictions = 0;
  private readonly lru: LRUCache<string, CachedFile>;
  /** Disk trips in progress, by key: concurrent misses for one file share one read and one compression. */
  private readonly pending = new Map<string, Promise<Lookup>>();

  constructor(private readonly settings: ResolvedStaticCache) {
    this.lru = new LRUCache<string, CachedFile>({
      maxSize: settings.maxSize,
      // lru-cache refuses a size of 0: an empty file counts one byte.
      sizeCalculation: (file) => Math.max(1, file.bytes),
      dispose: (_file, _key, reason) => {
        if (reason === 'evict') this.evictions++;
      },
    });
  }

  /** The cached file for `key` if it was checked within `revalidateMs`, else undefined. */
  fresh(key: string, now: number): CachedFile | undefined {
    const file = this.lru.get(key);
    return file !== undefined && now - file.checkedAt < this.settings.revalidateMs ? file : undefined;
  }

  /** Goes to the disk for `key`: revalidates, loads, or finds it large or gone. */
  lookup(key: string, mount: StaticMount, relative: string): Promise<Lookup> {
    let pending = this.pending.get(key);
    if (pending === undefined) {
      pending = this.load(key, mount, relative).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  stats(): StaticStats {
    return {
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      entries: this.lru.size,
      bytes: this.lru.calculatedSize,
    };
  }

  private async load(key: string, mount: StaticMount, relative: string): Promise<Lookup> {
    const found = await resolveFile(mount, relative);
    if (found.kind !== 'file') {
      this.lru.delete(key);
      return found;
    }
    const stale = this.lru.peek(key);
    if (stale !== undefined && sameVersion(stale.version, versionOf(found.realPath, found.stat))) {
      stale.checkedAt = Date.now();
      return { kind: 'cached', file: stale, fromDisk: false };
    }
    if (found.stat.size > this.settings.maxFileSize) {
      this.lru.delete(key);
      return { kind: 'stream', realPath: found.realPath, name: found.name };
    }
    const read = await readSmallFile(found.realPath, this.settings.maxFileSize);
    if (read === undefined) {
      this.lru.delete(key);
      return MISSING;
    }
    if (read === 'large') return { kind: 'stream', realPath: found.realPath, name: found.name };
    const contentType = contentTypeOf(found.name);
    const variants: CompressedVariants =
      read.body.length >= MIN_COMPRESS_BYTES && isCompressible(contentType) ? await compressVariants(read.body) : {};
    const file: CachedFile = {
      ...makeFileAnswer(
        versionOf(found.realPath, read.stat, read.body.length),
        mount,
        contentType,
        read.body,
        variants,
      ),
      bytes: read.body.length + (variants.br?.length ?? 0) + (variants.gzip?.length ?? 0),
      checkedAt: Date.now(),
    };
    this.lru.set(key, file);
    return { kind: 'cached', file, fromDisk: true };
  }
}

/**
 * Reads a file whole through one handle, so the bytes and the stat describe
 * the same file even if the name is replaced meanwhile. Undefined when it is
 * gone or not a file; `'large'` when it grew past `maxFileSize`.
 */
async function readSmallFile(
  realPath: string,
  maxFileSize: number,
): Promise<{ body: Buffer; stat: Stats } | 'large' | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(realPath, OPEN_FLAGS);
  } catch (error) {
    if (isNotThere(error)) return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return undefined;
    if (stat.size > maxFileSize) return 'large';
    // Read at most the size seen: a file growing meanwhile cannot make us hold more than maxFileSize.
    const body = Buffer.allocUnsafe(stat.size);
    let filled = 0;
    while (filled < body.length) {
      const { bytesRead } = await handle.read(body, filled, body.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { body: filled === body.length ? body : body.subarray(0, filled), stat };
  } finally {
    await handle.close();
  }
}
