// Who may see the status page: loopback clients, a client that presents the
// token, or everyone with `allowRemote`. The token is compared in constant
// time, so its length and prefix cannot be learned by timing.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '../http/http-types';
import type { ResolvedStatusPage } from './status-page-options';

/** The cookie the page sets when it is opened with `?token=`, so its stream and assets need no header. */
export const TOKEN_COOKIE = 'httppool_status';

/** True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export class StatusAccess {
  private readonly digest: Buffer | undefined;

  constructor(private readonly options: ResolvedStatusPage) {
    this.digest = options.token === undefined ? undefined : hash(options.token);
  }

  /** The token `req` presents, from the header, the query or the cookie; undefined if none. */
  static presented(req: HttpRequest): string | undefined {
    const auth = req.headers.authorization;
    if (auth !== undefined && auth.startsWith('Bearer ')) return auth.slice(7).trim();
    const url = req.url as string;
    const query = url.indexOf('?');
    if (query !== -1) {
      const token = new URLSearchParams(url.slice(query + 1)).get('token');
      if (token !== null) return token;
    }
    const cookie = req.headers.cookie;
    if (cookie === undefined) return undefined;
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq !== -1 && part.slice(0, eq).trim() === TOKEN_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
    }
    return undefined;
  }

  /** Whether `req` may see the page. */
  allows(req: HttpRequest): boolean {
    if (this.options.allowRemote || isLoopback(req.socket.remoteAddress)) return true;
    return this.tokenMatches(StatusAccess.presented(req));
  }

  /** Whether `token` is the configured one (false without one). */
  tokenMatches(token: string | undefined): boolean {
    if (this.digest === undefined || token === undefined) return false;
    // Equal-length digests: timingSafeEqual needs them, and they hide the token's length.
    return timingSafeEqual(hash(token), this.digest);
  }
}

function hash(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
