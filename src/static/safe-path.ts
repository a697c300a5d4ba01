// Safe-path rules: which URL paths may name a file under a mount's root.
//
// The rules reject rather than normalise: a path with `..`, `.`, an empty
// segment, a backslash, a NUL byte or an encoded separator is refused outright,
// so there is no normalisation step whose mistakes could climb out of the root.
// The last line of defence is `isInsideRoot` on the file's real path, which
// also catches symlinks that lead out.

import path from 'node:path';

/** The path has bad percent-encoding: the request is answered 400. */
export const MALFORMED_PATH = Symbol('httppool.static.malformedPath');
/** The path may not name a file (encoded `/`, `\` or NUL): answered 404. */
export const UNSAFE_PATH = Symbol('httppool.static.unsafePath');

// `%2f` and `%5c` would let a decoded segment hold a separator; `%00` would cut
// the name short in C-level APIs. None of them names a file we serve.
const ENCODED_SEPARATOR_OR_NUL = /%(?:2f|5c|00)/i;

/**
 * Percent-decodes a URL path (query already cut off).
 *
 * @example
 * decodeUrlPath('/public/a%20b.css'); // '/public/a b.css'
 * decodeUrlPath('/public/..%2fsecret'); // UNSAFE_PATH
 * decodeUrlPath('/public/%E0%A4%A'); // MALFORMED_PATH
 */
export function decodeUrlPath(rawPath: string): string | typeof MALFORMED_PATH | typeof UNSAFE_PATH {
  // Most paths have no escapes: one `includes` spares them the regex, the decode and a new string.
  if (!rawPath.includes('%')) return rawPath;
  if (ENCODED_SEPARATOR_OR_NUL.test(rawPath)) return UNSAFE_PATH;
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return MALFORMED_PATH;
  }
}

/**
 * True when `relative` (the decoded path after the mount prefix: `''` or
 * starting with `/`) may name something under the root: no `..`, `.` or
 * empty segments (a trailing `/` is allowed), no `\` or NUL, and no segment
 * starting with `.` unless dotfiles are allowed.
 *
 * @example
 * isSafeRelativePath('/css/site.css', false); // true
 * isSafeRelativePath('/../etc/passwd', false); // false
 * isSafeRelativePath('/.env', false); // false
 */
export function isSafeRelativePath(relative: string, allowDotfiles: boolean): boolean {
  if (relative === '') return true;
  if (relative.charCodeAt(0) !== 0x2f || relative.includes('\\') || relative.includes('\0')) return false;
  const segments = relative.split('/');
  const last = segments.length - 1;
  for (let i = 1; i <= last; i++) {
    const segment = segments[i] as string;
    if (segment === '') {
      if (i === last) continue; // the trailing slash of a folder URL
      return false;
    }
    if (segment === '.' || segment === '..') return false;
    if (!allowDotfiles && segment.charCodeAt(0) === 0x2e) return false;
  }
  return true;
}

/**
 * True when `realPath` is `root` or inside it. Both must be real paths
 * (`fs.realpath`): comparing against `root + sep` keeps `/srv/pub-secret` out
 * of a root at `/srv/pub`.
 *
 * @example
 * isInsideRoot('/srv/pub', '/srv/pub/a.css'); // true
 * isInsideRoot('/srv/pub', '/srv/pub-secret/a.css'); // false
 */
export function isInsideRoot(root: string, realPath: string): boolean {
  if (realPath === root) return true;
  const withSep = root.endsWith(path.sep) ? root : root + path.sep;
  return realPath.startsWith(withSep);
}
