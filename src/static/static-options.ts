// The `static` and `staticCache` options: what a user may set, checked loudly
// (naming the bad field, e.g. `static[1].prefix`) and resolved once.

import path from 'node:path';

/**
 * One folder served under a URL prefix.
 *
 * @example
 * HttpPoolApp.bootstrap({ static: [{ prefix: '/public', root: './public', maxAge: 3600 }] });
 */
export interface StaticMountOptions {
  /**
   * The URL prefix, e.g. `/public`: starts with `/`, no trailing `/`. A mount
   * at `/` serves the paths no route takes: routes win there.
   */
  prefix: string;
  /** The folder to serve, absolute or relative to the working directory. Must exist at bootstrap. */
  root: string;
  /** `Cache-Control: public, max-age=<maxAge>`, in seconds as in the header (default 0). */
  maxAge?: number;
  /** Adds `immutable` to `Cache-Control`: for fingerprinted file names (default false). */
  immutable?: boolean;
  /** The file served for a folder's URL ending in `/`, or `false` for none (default `index.html`). */
  index?: string | false;
  /** `'ignore'`: a path with a segment starting with `.` is 404 (default); `'allow'`: served. */
  dotfiles?: 'ignore' | 'allow';
  /**
   * A single-page app's fallback, e.g. `'index.html'`: a GET for a file the
   * mount does not have, from a client that accepts HTML, gets this file
   * (default: none, a 404).
   */
  fallback?: string | false;
}

/**
 * The in-memory cache shared by every mount.
 *
 * @example
 * HttpPoolApp.bootstrap({ static: [...], staticCache: { maxFileSize: 64 * 1024, revalidateMs: 5000 } });
 */
export interface StaticCacheOptions {
  /** Files up to this many bytes are kept in memory; larger ones stream from disk (default 256 KiB). 0 caches none. */
  maxFileSize?: number;
  /** Total bytes the cache may hold, compressed variants included (default 64 MiB). */
  maxSize?: number;
  /** A cached file is checked against the disk (size, mtime) at most this often, in ms (default 1000). */
  revalidateMs?: number;
}

export interface ResolvedStaticMount {
  prefix: string;
  /** Absolute, but not yet checked: bootstrap checks it exists and takes its real path. */
  root: string;
  maxAge: number;
  immutable: boolean;
  index: string | false;
  dotfiles: 'ignore' | 'allow';
  fallback: string | false;
}

export type ResolvedStaticCache = Required<StaticCacheOptions>;

export const DEFAULT_STATIC_CACHE: Readonly<ResolvedStaticCache> = Object.freeze({
  maxFileSize: 256 * 1024,
  maxSize: 64 * 1024 * 1024,
  revalidateMs: 1000,
});

const MOUNT_KEYS = new Set(['prefix', 'root', 'maxAge', 'immutable', 'index', 'dotfiles', 'fallback']);
const CACHE_KEYS = new Set(Object.keys(DEFAULT_STATIC_CACHE));
// URL path characters that need no percent-encoding (RFC 3986 pchar minus `%`).
const PREFIX_SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=:@-]+$/;

/** Checks the `static` option: a list of mounts with unique prefixes. */
export function checkStaticMounts(value: unknown): ResolvedStaticMount[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new TypeError(`Option "static" must be an array of { prefix, root } mounts, got ${describeValue(value)}`);
  }
  const mounts = value.map((mount: unknown, i) => checkMount(mount, `static[${i}]`));
  mounts.forEach((mount, i) => {
    const first = mounts.findIndex((other) => other.prefix === mount.prefix);
    if (first !== i) {
      throw new TypeError(
        `Option "static[${i}].prefix" repeats static[${first}].prefix ${JSON.stringify(mount.prefix)}`,
      );
    }
  });
  return mounts;
}

/** Checks the `staticCache` option and fills in its defaults. */
export function checkStaticCache(value: unknown): ResolvedStaticCache {
  if (value === undefined) return { ...DEFAULT_STATIC_CACHE };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`Option "staticCache" must be an object, got ${describeValue(value)}`);
  }
  checkKeys(value, CACHE_KEYS, 'staticCache');
  const given = value as StaticCacheOptions;
  const resolved: ResolvedStaticCache = {
    maxFileSize: checkInteger('staticCache.maxFileSize', given.maxFileSize, DEFAULT_STATIC_CACHE.maxFileSize, 0),
    maxSize: checkInteger('staticCache.maxSize', given.maxSize, DEFAULT_STATIC_CACHE.maxSize, 1),
    revalidateMs: checkInteger('staticCache.revalidateMs', given.revalidateMs, DEFAULT_STATIC_CACHE.revalidateMs, 0),
  };
  if (resolved.maxFileSize > resolved.maxSize) {
    throw new RangeError(
      `Option "staticCache.maxFileSize" (${resolved.maxFileSize}) must not exceed "staticCache.maxSize" (${resolved.maxSize})`,
    );
  }
  return resolved;
}

function checkMount(value: unknown, name: string): ResolvedStaticMount {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`Option "${name}" must be an object { prefix, root }, got ${describeValue(value)}`);
  }
  checkKeys(value, MOUNT_KEYS, name);
  const mount = value as StaticMountOptions;
  return {
    prefix: checkPrefix(`${name}.prefix`, mount.prefix),
    root: checkRoot(`${name}.root`, mount.root),
    maxAge: checkInteger(`${name}.maxAge`, mount.maxAge, 0, 0),
    immutable: checkBoolean(`${name}.immutable`, mount.immutable),
    index: checkIndex(`${name}.index`, mount.index),
    dotfiles: checkDotfiles(`${name}.dotfiles`, mount.dotfiles),
    fallback: checkFallback(`${name}.fallback`, mount.fallback),
  };
}

function checkKeys(value: object, known: Set<string>, name: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      throw new TypeError(`Unknown option "${name}.${key}" (known: ${[...known].join(', ')})`);
    }
  }
}

function checkPrefix(name: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new TypeError(`Option "${name}" must be a URL path such as "/public", got ${describeValue(value)}`);
  }
  if (value === '/') return value; // the root mount: the paths no route takes
  const segments = value.split('/');
  const valid =
    segments[0] === '' &&
    segments.length > 1 &&
    segments.slice(1).every((s) => PREFIX_SEGMENT.test(s) && s !== '.' && s !== '..');
  if (!valid) {
    throw new TypeError(
      `Option "${name}" must be "/" or start with "/", have no trailing "/", empty, "." or ".." segments and no ` +
        `characters that need percent-encoding, got ${describeValue(value)}`,
    );
  }
  return value;
}

function checkRoot(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) {
    throw new TypeError(`Option "${name}" must be a folder path, got ${describeValue(value)}`);
  }
  return path.resolve(value);
}

function checkIndex(name: string, value: unknown): string | false {
  if (value === undefined) return 'index.html';
  if (value === false) return false;
  if (typeof value !== 'string' || !/^[^/\\\0]+$/.test(value) || value === '.' || value === '..') {
    throw new TypeError(`Option "${name}" must be a file name (no "/") or false, got ${describeValue(value)}`);
  }
  return value;
}

function checkFallback(name: string, value: unknown): string | false {
  if (value === undefined || value === false) return false;
  if (
    typeof value !== 'string' ||
    !/^[^\\\0]+$/.test(value) ||
    value.split('/').some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw new TypeError(
      `Option "${name}" must be a file path inside the root, such as "index.html", or false, got ${describeValue(value)}`,
    );
  }
  return value;
}

function checkDotfiles(name: string, value: unknown): 'ignore' | 'allow' {
  if (value === undefined) return 'ignore';
  if (value === 'ignore' || value === 'allow') return value;
  throw new TypeError(`Option "${name}" must be "ignore" or "allow", got ${describeValue(value)}`);
}

function checkBoolean(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  throw new TypeError(`Option "${name}" must be a boolean, got ${describeValue(value)}`);
}

function checkInteger(name: string, value: unknown, fallback: number, min: number): number {
  const given = value === undefined ? fallback : value;
  if (typeof given !== 'number' || !Number.isSafeInteger(given) || given < min) {
    throw new RangeError(`Option "${name}" must be an integer of ${min} or more, got ${describeValue(given)}`);
  }
  return given;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}
