// The `statusPage` option: where the live status page is served and who may
// see it, checked loudly at bootstrap.

/** `statusPage: true` serves it at `/_httppool` to loopback clients; or choose the path and the access. */
export interface StatusPageOptions {
  /** Where the page is served (default `/_httppool`); its stream and assets live under it. */
  path?: string;
  /**
   * A secret that opens the page to any client that presents it: as
   * `Authorization: Bearer <token>`, `?token=<token>`, or the cookie the page
   * sets once opened with it. Loopback clients need no token.
   */
  token?: string;
  /** Serve it to every client, loopback or not, token or not (default false). Mind who can reach the port. */
  allowRemote?: boolean;
}

export interface ResolvedStatusPage {
  path: string;
  token: string | undefined;
  allowRemote: boolean;
}

const KEYS = ['path', 'token', 'allowRemote'];

/** A token shorter than this is refused: it would be guessed. */
const MIN_TOKEN_LENGTH = 16;

/** Checks the `statusPage` option. */
export function checkStatusPageOptions(value: unknown): ResolvedStatusPage | undefined {
  if (value === undefined || value === false) return undefined;
  const given = (value === true ? {} : value) as StatusPageOptions;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new TypeError(
      `Option "statusPage" must be true, false or { path, token, allowRemote }, got ${JSON.stringify(value)}`,
    );
  }
  for (const key of Object.keys(given)) {
    if (!KEYS.includes(key)) throw new TypeError(`Unknown option "statusPage.${key}"`);
  }
  const { path = '/_httppool', token, allowRemote = false } = given;
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9._~\-/]+$/.test(path) || path.endsWith('/') || path.includes('//')) {
    throw new TypeError(
      `Option "statusPage.path" must be a path starting with '/', without a query or a trailing '/', got ${JSON.stringify(path)}`,
    );
  }
  if (token !== undefined && (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || /[\s;,]/.test(token))) {
    throw new TypeError(
      `Option "statusPage.token" must be a string of at least ${MIN_TOKEN_LENGTH} characters without spaces, ';' or ','`,
    );
  }
  if (typeof allowRemote !== 'boolean') {
    throw new TypeError(`Option "statusPage.allowRemote" must be a boolean, got ${JSON.stringify(allowRemote)}`);
  }
  return { path, token, allowRemote };
}
