// The `openapi` option: where the document and the optional Swagger UI are served.

/** `openapi: true` serves the document at `/openapi.json`; or choose paths, the info block and the UI. */
export interface OpenApiOptions {
  /** Where the OpenAPI 3.1 document is served, as JSON (default `/openapi.json`). */
  path?: string;
  /** Swagger UI from the swagger-ui-dist package: `true` at `/docs`, or `{ path }` (default: off). */
  ui?: boolean | { path?: string };
  /** The document's `info` (default: title `API`, version `1.0.0`). */
  info?: { title?: string; version?: string; description?: string };
}

export interface ResolvedOpenApi {
  path: string;
  /** The UI page's path, or undefined for no UI. */
  uiPath: string | undefined;
  info: { title: string; version: string; description?: string };
}

const KNOWN = new Set(['path', 'ui', 'info']);

export function checkOpenApiOptions(value: unknown): ResolvedOpenApi | undefined {
  if (value === undefined || value === false) return undefined;
  const given: OpenApiOptions = value === true ? {} : (value as OpenApiOptions);
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new TypeError('Option "openapi" must be true, false or { path, ui, info }');
  }
  for (const key of Object.keys(given)) if (!KNOWN.has(key)) throw new TypeError(`Unknown option "openapi.${key}"`);
  const path = checkPath('openapi.path', given.path ?? '/openapi.json');
  let uiPath: string | undefined;
  if (given.ui === true) uiPath = '/docs';
  else if (given.ui !== undefined && given.ui !== false) {
    if (given.ui === null || typeof given.ui !== 'object')
      throw new TypeError('Option "openapi.ui" must be a boolean or { path }');
    uiPath = checkPath('openapi.ui.path', given.ui.path ?? '/docs');
  }
  if (uiPath === path) throw new TypeError('Options "openapi.path" and "openapi.ui.path" must differ');
  const info = given.info ?? {};
  if (info === null || typeof info !== 'object') throw new TypeError('Option "openapi.info" must be an object');
  for (const key of ['title', 'version', 'description'] as const) {
    if (info[key] !== undefined && typeof info[key] !== 'string') {
      throw new TypeError(`Option "openapi.info.${key}" must be a string`);
    }
  }
  return {
    path,
    uiPath,
    info: {
      title: info.title ?? 'API',
      version: info.version ?? '1.0.0',
      ...(info.description === undefined ? {} : { description: info.description }),
    },
  };
}

function checkPath(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(value) || value.endsWith('/')) {
    throw new TypeError(
      `Option "${name}" must be a path starting with '/', without a trailing '/', got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
