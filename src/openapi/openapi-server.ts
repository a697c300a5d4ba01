// OpenApiServer: answers the `openapi` paths outside the pool, as /metrics is:
// the document (JSON, built once, with an ETag) and, with `ui`, a Swagger UI
// page whose scripts and styles come from the swagger-ui-dist package through
// a static mount (so with the static files' ETags and caching), never a CDN.

import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import type { ResolvedStaticMount } from '../static/static-options';
import type { ResolvedOpenApi } from './openapi-options';

export class OpenApiServer {
  private readonly document: string;
  private readonly etag: string;
  private readonly page: string | undefined;

  constructor(
    private readonly options: ResolvedOpenApi,
    document: unknown,
  ) {
    this.document = JSON.stringify(document);
    this.etag = `"${createHash('sha1').update(this.document).digest('base64url')}"`;
    this.page = options.uiPath === undefined ? undefined : uiPage(options);
  }

  /** The static mount the UI's assets are served from, if the UI is on; throws naming the package when it is missing. */
  static uiMount(options: ResolvedOpenApi): ResolvedStaticMount | undefined {
    if (options.uiPath === undefined) return undefined;
    let root: string;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      root = (require('swagger-ui-dist') as { absolutePath(): string }).absolutePath();
    } catch (error) {
      throw new TypeError('Option "openapi.ui" serves Swagger UI from swagger-ui-dist: npm install swagger-ui-dist', {
        cause: error,
      });
    }
    return {
      prefix: `${options.uiPath}/assets`,
      root,
      maxAge: 3600,
      immutable: false,
      index: false,
      dotfiles: 'ignore',
      fallback: false,
    };
  }

  /** Answers `req` if its path is one of ours; true if it did. */
  serve(req: HttpRequest, res: HttpResponse, path: string): boolean {
    if (path === this.options.path) {
      this.send(req, res, 'application/json; charset=utf-8', this.document, this.etag);
      return true;
    }
    if (path === this.options.uiPath && this.page !== undefined) {
      this.send(req, res, 'text/html; charset=utf-8', this.page, undefined);
      return true;
    }
    return false;
  }

  private send(req: HttpRequest, res: HttpResponse, type: string, body: string, etag: string | undefined): void {
    if (etag !== undefined) {
      res.setHeader('etag', etag);
      if (req.headers['if-none-match'] === etag) {
        res.statusCode = 304;
        res.end();
        return;
      }
    }
    res.setHeader('content-type', type);
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function uiPage(options: ResolvedOpenApi): string {
  const assets = `${options.uiPath as string}/assets`;
  const title = escapeHtml(options.info.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="stylesheet" href="${assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="${assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: ${JSON.stringify(options.path)}, dom_id: '#swagger-ui', deepLinking: true });
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
