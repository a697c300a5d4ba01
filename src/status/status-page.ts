// StatusPage: answers the `statusPage` paths outside the pool and before the
// shutdown check, as /metrics is, so it shows an overloaded or draining app:
//
//   <path>            the page (HTML, with an ETag)
//   <path>/events     the server-sent events the charts are drawn from
//   <path>/assets/…   the page's script and style, from the package's
//                     status-page/ folder through the static files (ETags, 304)
//
// A client the access rule refuses is not answered here: the request goes on
// as if there were no page (usually a 404), so the page is never revealed.

import { createHash } from 'node:crypto';
import path from 'node:path';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import { DEFAULT_STATIC_CACHE, type ResolvedStaticMount } from '../static/static-options';
import { StaticFiles } from '../static/static-files';
import { StatusAccess, TOKEN_COOKIE } from './status-access';
import type { ResolvedStatusPage } from './status-page-options';
import { StatusSampler, type SamplerSource } from './status-sampler';
import { StatusStream } from './status-stream';

/** The page's assets, shipped in the package: `<package>/status-page`, from `dist/src/status/`. */
export const ASSETS_ROOT = path.resolve(__dirname, '..', '..', '..', 'status-page');

export class StatusPage {
  readonly sampler: StatusSampler;
  readonly stream: StatusStream;
  private readonly access: StatusAccess;
  private readonly page: string;
  private readonly etag: string;
  private readonly eventsPath: string;
  private readonly assetsPrefix: string;

  private constructor(
    private readonly options: ResolvedStatusPage,
    private readonly assets: StaticFiles,
    source: SamplerSource,
  ) {
    this.access = new StatusAccess(options);
    this.sampler = new StatusSampler(source);
    this.stream = new StatusStream(this.sampler);
    this.eventsPath = `${options.path}/events`;
    this.assetsPrefix = `${options.path}/assets/`;
    this.page = pageHtml(options.path);
    this.etag = `"${createHash('sha1').update(this.page).digest('base64url')}"`;
  }

  /** Builds the page and starts its sampler; throws if the package's assets are missing. */
  static async create(options: ResolvedStatusPage, source: SamplerSource): Promise<StatusPage> {
    const mount: ResolvedStaticMount = {
      prefix: `${options.path}/assets`,
      root: ASSETS_ROOT,
      maxAge: 0,
      immutable: false,
      index: false,
      dotfiles: 'ignore',
      fallback: false,
    };
    const assets = await StaticFiles.create([mount], DEFAULT_STATIC_CACHE, []);
    return new StatusPage(options, assets, source);
  }

  /** The page's path; its stream and assets are under it. */
  get path(): string {
    return this.options.path;
  }

  /** Whether `path` is one of the page's (before the access check). */
  owns(path: string): boolean {
    return path === this.options.path || path === this.eventsPath || path.startsWith(this.assetsPrefix);
  }

  /**
   * Answers `req` if `path` (the URL without its query) is one of ours and
   * the client may see it; true if it did. `ended` is called once the answer
   * is over (for a stream: when the viewer leaves).
   */
  serve(req: HttpRequest, res: HttpResponse, path: string, ended: () => void): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (!this.owns(path) || !this.access.allows(req)) return false;
    if (path === this.eventsPath) {
      // Opened first: its own close listener ends a stream whose viewer left
      // (the normal end of one), so `ended` records it as answered, not cut.
      this.stream.open(req, res);
      res.once('close', ended);
      return true;
    }
    res.once('close', ended);
    if (path === this.options.path) this.sendPage(req, res);
    else this.assets.serve(req, res);
    return true;
  }

  /** Ends the viewers' streams and stops sampling. */
  close(): void {
    this.stream.close();
    this.sampler.stop();
  }

  private sendPage(req: HttpRequest, res: HttpResponse): void {
    res.setHeader('cache-control', 'no-cache');
    // Opened with a good ?token=: the cookie carries it to the stream and the assets.
    const token = StatusAccess.presented(req);
    if (this.access.tokenMatches(token)) {
      res.setHeader(
        'set-cookie',
        `${TOKEN_COOKIE}=${encodeURIComponent(token as string)}; Path=${this.options.path}; HttpOnly; SameSite=Strict`,
      );
    }
    res.setHeader('etag', this.etag);
    if (req.headers['if-none-match'] === this.etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(this.page));
    res.end(req.method === 'HEAD' ? undefined : this.page);
  }
}

function pageHtml(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>httppool status</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/assets/status.css">
</head>
<body data-events="${base}/events">
<header><h1>httppool status</h1><span id="state">connecting…</span></header>
<main id="charts"></main>
<script src="${base}/assets/status.js"></script>
</body>
</html>
`;
}
