// Cookies: `req.cookies` and `req.signedCookies` read from the Cookie header,
// `res.setCookie()` and `res.clearCookie()` to send them. Parsing and
// serialising are the `cookie` package's (express's and fastify's); signing is
// `cookie-signature`'s, in express's format (`s:<value>.<signature>`), so a
// cookie signed by an express service with the same secret reads here too.
//
// Both packages load on first use: a service that never touches a cookie
// pays nothing for them.

import type { SerializeOptions } from 'cookie';
import type { ServerResponse } from 'node:http';

/** What `res.setCookie()` takes: the `cookie` package's attributes, and `signed`. */
export interface CookieOptions extends Omit<SerializeOptions, 'encode'> {
  /** Sign the value with the app's first `cookies.secret` (read back in `req.signedCookies`). */
  signed?: boolean;
}

/** The `cookies` option, checked: the secrets, the first of which signs. */
export interface ResolvedCookieOptions {
  secrets: readonly string[];
}

/** The cookies of a request: unsigned ones, and signed ones with their signature checked. */
export interface RequestCookies {
  cookies: Record<string, string>;
  /** Verified values; `false` for a signed cookie whose signature does not match any secret. */
  signedCookies: Record<string, string | false>;
}

const SIGNED_PREFIX = 's:';

let cookie: typeof import('cookie') | undefined;
let signature: typeof import('cookie-signature') | undefined;

function loadCookie(): typeof import('cookie') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (cookie ??= require('cookie') as typeof import('cookie'));
}

function loadSignature(): typeof import('cookie-signature') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (signature ??= require('cookie-signature') as typeof import('cookie-signature'));
}

/**
 * Parses a Cookie header. With secrets, values in the signed format are
 * checked and go to `signedCookies`; without, every cookie is in `cookies`.
 */
export function parseCookies(header: string | undefined, secrets: readonly string[]): RequestCookies {
  const cookies: Record<string, string> = Object.create(null) as Record<string, string>;
  const signedCookies: Record<string, string | false> = Object.create(null) as Record<string, string | false>;
  if (header === undefined || header === '') return { cookies, signedCookies };
  const parsed = loadCookie().parseCookie(header);
  for (const name of Object.keys(parsed)) {
    const value = parsed[name];
    if (value === undefined) continue;
    if (secrets.length > 0 && value.startsWith(SIGNED_PREFIX)) signedCookies[name] = unsign(value, secrets);
    else cookies[name] = value;
  }
  return { cookies, signedCookies };
}

function unsign(value: string, secrets: readonly string[]): string | false {
  const { unsign: check } = loadSignature();
  for (const secret of secrets) {
    const original = check(value.slice(SIGNED_PREFIX.length), secret);
    if (original !== false) return original;
  }
  return false;
}

/** Appends a Set-Cookie header to `res`; throws `TypeError` for a name or attribute the `cookie` package refuses. */
export function setCookie(
  res: ServerResponse,
  secrets: readonly string[],
  name: string,
  value: string,
  options: CookieOptions = {},
): void {
  const { signed, ...attributes } = options;
  let sent = value;
  if (signed === true) {
    const secret = secrets[0];
    if (secret === undefined) {
      throw new TypeError(`Cookie "${name}" is signed, but the app has no cookies.secret to sign it with`);
    }
    sent = SIGNED_PREFIX + loadSignature().sign(value, secret);
  }
  const line = loadCookie().stringifySetCookie(name, sent, { path: '/', ...attributes });
  const current = res.getHeader('set-cookie');
  const lines = current === undefined ? [] : Array.isArray(current) ? current : [String(current)];
  res.setHeader('set-cookie', [...lines, line]);
}

/** Tells the client to drop a cookie: empty, expired (path and domain must match how it was set). */
export function clearCookie(res: ServerResponse, name: string, options: CookieOptions = {}): void {
  // An empty, expired value: never signed, and no Max-Age (it would win over Expires).
  setCookie(res, [], name, '', { ...options, signed: false, maxAge: undefined, expires: new Date(0) });
}

/** Checks the `cookies` option: `{ secret }`, one string or a list (the first signs, all verify). */
export function checkCookieOptions(value: unknown): ResolvedCookieOptions {
  if (value === undefined) return { secrets: [] };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('Option "cookies" must be { secret }, with a string or a list of strings');
  }
  const { secret, ...rest } = value as { secret?: unknown };
  for (const key of Object.keys(rest)) throw new TypeError(`Unknown option "cookies.${key}"`);
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new TypeError('Option "cookies.secret" must be a string or a non-empty list of strings');
  }
  for (const candidate of secrets) {
    if (typeof candidate !== 'string' || candidate.length < 16) {
      throw new TypeError('Option "cookies.secret": every secret must be a string of at least 16 characters');
    }
  }
  return { secrets: [...(secrets as string[])] };
}
