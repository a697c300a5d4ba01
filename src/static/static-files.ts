// StaticFiles: answers requests under the `static` mounts' prefixes, before
// routing and without a pool worker.
//
// Why no worker: the pool bounds handler work so that overload is shed with
// 503. A static file costs a Map lookup and a socket write (or non-blocking
// disk reads), nothing worth bounding, and shedding it would break pages
// whose API calls are the real load: a busy pool must never shed a stylesheet.

import { MalformedUrlError, MethodNotAllowedError, NotFoundError } from '../errors';
import { sendError } from '../answers/error-answer';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import { answerFile, writeFromMemory } from './answer-file';
import { FileCache, type StaticStats } from './file-cache';
import { decodeUrlPath, isSafeRelativePath, MALFORMED_PATH, UNSAFE_PATH } from './safe-path';
import type { ResolvedStaticCache, ResolvedStaticMount } from './static-options';
import { prepareMounts, type StaticMount } from './static-mount';
import { streamFile } from './stream-file';

const ALLOW = ['GET', 'HEAD'];
const SLASH = 0x2f;
const QUESTION_MARK = 0x3f;

export class StaticFiles {
  /** The mount at `/`, asked only once routing found nothing. */
  private readonly rootMount: StaticMount | undefined;
  /** Longest prefix first, the root mount left out: they answer before routing. */
  private readonly mounts: readonly StaticMount[];

  private constructor(
    mounts: readonly StaticMount[],
    private readonly cache: FileCache,
  ) {
    this.rootMount = mounts.find((mount) => mount.prefix === '/');
    this.mounts = mounts.filter((mount) => mount.prefix !== '/');
  }

  /**
   * Checks the mounts (roots exist, no route hidden under a prefix) and makes
   * the shared cache. Throws StaticRootError or RouteDefinitionError.
   *
   * @example
   * const staticFiles = await StaticFiles.create(config.static, config.staticCache, ['/api/users/:id']);
   */
  static async create(
    mounts: readonly ResolvedStaticMount[],
    cache: ResolvedStaticCache,
    routePaths: readonly string[],
  ): Promise<StaticFiles> {
    return new StaticFiles(await prepareMounts(mounts, routePaths), new FileCache(cache));
  }

  /**
   * Answers the request if its URL is under a mount's prefix, and returns
   * true; otherwise returns false at the cost of one prefix comparison per
   * mount, and the request goes on to the routes.
   */
  serve(req: HttpRequest, res: HttpResponse): boolean {
    const url = req.url as string;
    const mount = this.mountOf(url);
    if (mount === undefined) return false;
    this.answer(mount, req, res, url);
    return true;
  }

  /**
   * Answers a GET or HEAD that no route took from the mount at `/`, if there
   * is one, and returns true; otherwise false (the request gets its 404).
   */
  serveUnrouted(req: HttpRequest, res: HttpResponse): boolean {
    const method = req.method;
    if (this.rootMount === undefined || (method !== 'GET' && method !== 'HEAD')) return false;
    this.answer(this.rootMount, req, res, req.url as string);
    return true;
  }

  stats(): StaticStats {
    return this.cache.stats();
  }

  /** The mount whose prefix `path` is under, longest prefix first: `/public`, `/public/…`, `/public?…`, not `/publicity`. */
  private mountOf(path: string): StaticMount | undefined {
    for (const mount of this.mounts) {
      if (!path.startsWith(mount.prefix)) continue;
      const next = path.charCodeAt(mount.prefix.length);
      if (Number.isNaN(next) || next === SLASH || next === QUESTION_MARK) return mount;
    }
    return undefined;
  }

  private answer(matched: StaticMount, req: HttpRequest, res: HttpResponse, url: string): void {
    const query = url.indexOf('?');
    const rawPath = query < 0 ? url : url.slice(0, query);
    const method = req.method as string;
    if (method !== 'GET' && method !== 'HEAD') {
      sendError(res, new MethodNotAllowedError(method, rawPath, ALLOW));
      return;
    }
    const key = decodeUrlPath(rawPath);
    if (key === MALFORMED_PATH) {
      sendError(res, new MalformedUrlError());
      return;
    }
    if (key === UNSAFE_PATH) {
      sendError(res, new NotFoundError(method, rawPath));
      return;
    }
    // Decoding can move a path into a nested mount (`/public/%69mg/x.png` is
    // `/public/img/x.png`): the decoded path picks the mount, as it picks the
    // cache key, or a crafted URL could cache one mount's file under another's key.
    const mount = key === rawPath || matched.prefix === '/' ? matched : (this.mountOf(key) ?? matched);
    // The hot path: no disk, no promise, no path checks (only checked keys are cached).
    const cached = this.cache.fresh(key, Date.now());
    if (cached !== undefined) {
      this.cache.hits++;
      answerFile(req, res, cached, writeFromMemory);
      return;
    }
    const relative = mount.prefix === '/' ? key : key.slice(mount.prefix.length);
    if (!isSafeRelativePath(relative, mount.dotfiles === 'allow')) {
      sendError(res, new NotFoundError(method, rawPath));
      return;
    }
    this.answerFromDisk(mount, key, relative, rawPath, req, res).catch((error: unknown) => {
      req.log.error({ err: error, path: rawPath }, 'static file failed');
      sendError(res, error);
    });
  }

  private async answerFromDisk(
    mount: StaticMount,
    key: string,
    relative: string,
    rawPath: string,
    req: HttpRequest,
    res: HttpResponse,
  ): Promise<void> {
    const found = await this.cache.lookup(key, mount, relative);
    switch (found.kind) {
      case 'cached':
        if (found.fromDisk) this.cache.misses++;
        else this.cache.hits++;
        answerFile(req, res, found.file, writeFromMemory);
        return;
      case 'stream':
        if (await streamFile(req, res, mount, found.realPath, found.name)) {
          this.cache.misses++;
          return;
        }
        break;
      case 'redirect':
        // The raw path starts with the mount's prefix, so the Location stays on this site.
        res.writeHead(301, {
          location: `${rawPath}/${(req.url as string).slice(rawPath.length)}`,
          'content-length': 0,
        });
        res.end();
        return;
      case 'missing':
        if (mount.fallback !== false && relative !== fallbackPath(mount) && acceptsHtml(req)) {
          await this.answerFromDisk(mount, fallbackKey(mount), fallbackPath(mount), rawPath, req, res);
          return;
        }
        break;
    }
    sendError(res, new NotFoundError(req.method as string, rawPath));
  }
}

/** The fallback file's path under its mount's root, with its leading `/`. */
function fallbackPath(mount: StaticMount): string {
  return `/${mount.fallback as string}`;
}

/** The fallback file's cache key: its URL path. */
function fallbackKey(mount: StaticMount): string {
  return (mount.prefix === '/' ? '' : mount.prefix) + fallbackPath(mount);
}

/** Whether a client asked for HTML, as a browser navigating does (`Accept: text/html, …`). */
function acceptsHtml(req: HttpRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}
