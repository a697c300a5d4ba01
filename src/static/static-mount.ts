// StaticMount: one `static` option entry made ready to serve, its root
// checked and resolved to a real path once, at bootstrap.

import { promises as fs } from 'node:fs';
import { RouteDefinitionError, StaticRootError } from '../errors';
import type { ResolvedStaticMount } from './static-options';

export interface StaticMount extends ResolvedStaticMount {
  /** `fs.realpath(root)`: every served file's real path must be under it. */
  readonly realRoot: string;
  /** The `Cache-Control` value every answer from this mount carries. */
  readonly cacheControl: string;
}

/**
 * Checks each mount's root (it must exist and be a folder) and that no route
 * sits under a mount's prefix, where the mount would answer first and the
 * route could never be reached. Returns the mounts longest prefix first, so a
 * nested mount (`/public/img`) wins over its parent (`/public`).
 *
 * @example
 * const mounts = await prepareMounts(config.static, table.routes.map((route) => route.path));
 */
export async function prepareMounts(
  mounts: readonly ResolvedStaticMount[],
  routePaths: readonly string[],
): Promise<StaticMount[]> {
  const prepared: StaticMount[] = [];
  for (const mount of mounts) {
    // Under the root mount, routes win: it answers only what no route takes.
    const shadowed =
      mount.prefix === '/'
        ? undefined
        : routePaths.find((route) => route === mount.prefix || route.startsWith(`${mount.prefix}/`));
    if (shadowed !== undefined) {
      throw new RouteDefinitionError(
        `Route ${shadowed} is under the static mount ${mount.prefix}: static files answer first, so it would never be reached`,
      );
    }
    prepared.push({
      ...mount,
      realRoot: await realFolder(mount),
      cacheControl: `public, max-age=${mount.maxAge}${mount.immutable ? ', immutable' : ''}`,
    });
  }
  return prepared.sort((a, b) => b.prefix.length - a.prefix.length);
}

async function realFolder(mount: ResolvedStaticMount): Promise<string> {
  let realRoot: string;
  try {
    realRoot = await fs.realpath(mount.root);
  } catch (error) {
    throw new StaticRootError(`Static mount ${mount.prefix}: root ${mount.root} does not exist or cannot be read`, {
      cause: error,
    });
  }
  if (!(await fs.stat(realRoot)).isDirectory()) {
    throw new StaticRootError(`Static mount ${mount.prefix}: root ${mount.root} is not a folder`);
  }
  return realRoot;
}
