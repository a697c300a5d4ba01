// Finds the file a mount-relative path names: its real path, checked to be
// inside the mount's root, the folder index, and the folder redirect.

import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { StaticMount } from './static-mount';
import { isInsideRoot } from './safe-path';

export type Resolution =
  /** `name` is the path asked for (symlinks not followed): its extension gives the Content-Type. */
  | { kind: 'file'; realPath: string; stat: Stats; name: string }
  /** A folder asked for without its trailing `/`: redirect, so relative links in its index resolve. */
  | { kind: 'redirect' }
  | { kind: 'missing' };

const MISSING: Resolution = { kind: 'missing' };
const REDIRECT: Resolution = { kind: 'redirect' };

// Errors that mean "no such file to serve". Anything else (EMFILE, EIO) is a
// server fault and becomes a logged 500.
const NOT_THERE = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EACCES', 'EPERM', 'EISDIR']);

/**
 * Opens real paths only: a name swapped for a symlink after `realpath` fails
 * with ELOOP instead of being followed out of the root.
 */
export const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** True for fs errors that answer 404 rather than 500. */
export function isNotThere(error: unknown): boolean {
  return NOT_THERE.has((error as NodeJS.ErrnoException | null)?.code ?? '');
}

/**
 * Resolves `relative` (already checked by `isSafeRelativePath`) under the
 * mount's real root. Symlinks are followed, and refused if they lead out.
 *
 * @example
 * await resolveFile(mount, '/css/site.css'); // { kind: 'file', realPath: '/srv/public/css/site.css', stat }
 * await resolveFile(mount, '/css'); // { kind: 'redirect' } (to /public/css/)
 */
export async function resolveFile(mount: StaticMount, relative: string): Promise<Resolution> {
  const found = await realFile(mount.realRoot, relative === '' ? mount.realRoot : path.join(mount.realRoot, relative));
  if (found === undefined) return MISSING;
  const slash = relative.endsWith('/');
  if (found.stat.isDirectory()) {
    if (mount.index === false) return MISSING;
    if (!slash) return REDIRECT;
    const index = await realFile(mount.realRoot, path.join(found.realPath, mount.index));
    return index !== undefined && index.stat.isFile() ? { kind: 'file', ...index } : MISSING;
  }
  // A file name followed by `/` is not the file; FIFOs, sockets and devices are never served.
  if (slash || !found.stat.isFile()) return MISSING;
  return { kind: 'file', ...found };
}

async function realFile(
  root: string,
  candidate: string,
): Promise<{ realPath: string; stat: Stats; name: string } | undefined> {
  try {
    const realPath = await fs.realpath(candidate);
    if (!isInsideRoot(root, realPath)) return undefined;
    return { realPath, stat: await fs.stat(realPath), name: candidate };
  } catch (error) {
    if (isNotThere(error)) return undefined;
    throw error;
  }
}
