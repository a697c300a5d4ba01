// Turns the `controllers` option (classes and folders) into classes.
//
// A folder is read recursively; every module in it that node can load is
// loaded, except test and spec files, declaration files and source maps (and
// what the folder's include / exclude leave out), and the classes it exports
// that carry @Controller are kept.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ControllerLoadError, RouteDefinitionError } from '../errors';
import { matchesAny, type ControllerFileFilter, type ControllerSource } from './controller-sources';
import { getController, getRoutes, type Constructor } from './route-metadata';

/**
 * Files that are never controller modules, whatever include says: tests and
 * specs next to the controllers (`users.test.js`, `users.spec.ts`),
 * declarations (`.d.ts`, `.d.mts`, `.d.cts`) and source maps.
 */
const NEVER_LOADED = /(?:^|\/)[^/]*\.(?:test|spec)\.[^/]+$|\.d\.[cm]?ts$|\.map$/;

export async function loadControllers(sources: readonly ControllerSource[]): Promise<Constructor[]> {
  const classes = new Set<Constructor>();
  for (const source of sources) {
    if (typeof source === 'function') classes.add(source);
    else {
      const folder = typeof source === 'string' ? { dir: source } : source;
      for (const ctor of await loadFolder(folder.dir, listOf(folder.include), listOf(folder.exclude)))
        classes.add(ctor);
    }
  }
  return [...classes];
}

function listOf(
  filters: ControllerFileFilter | readonly ControllerFileFilter[] | undefined,
): readonly ControllerFileFilter[] | undefined {
  return filters === undefined ? undefined : Array.isArray(filters) ? filters : [filters as ControllerFileFilter];
}

async function loadFolder(
  folder: string,
  include: readonly ControllerFileFilter[] | undefined,
  exclude: readonly ControllerFileFilter[] | undefined,
): Promise<Constructor[]> {
  const root = path.resolve(folder);
  let names: string[];
  try {
    names = await readdir(root, { recursive: true });
  } catch (error) {
    throw new ControllerLoadError(`Cannot read controllers folder ${root}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const wanted = (name: string): boolean => {
    const file = name.split(path.sep).join('/');
    return (
      isLoadable(file) &&
      (include === undefined || matchesAny(file, include)) &&
      (exclude === undefined || !matchesAny(file, exclude))
    );
  };
  const found: Constructor[] = [];
  for (const name of names.filter(wanted).sort()) {
    const file = path.join(root, name);
    for (const value of await exportsOf(file)) {
      if (typeof value !== 'function') continue;
      const ctor = value as Constructor;
      if (getController(ctor) !== undefined) found.push(ctor);
      else if (getRoutes(ctor).length > 0) {
        throw new RouteDefinitionError(
          `Class ${ctor.name} in ${file} has @Route methods but is not decorated with @Controller`,
        );
      }
    }
  }
  if (found.length === 0) {
    const filtered = include !== undefined || exclude !== undefined ? ' (among the files include/exclude kept)' : '';
    throw new RouteDefinitionError(`No @Controller classes found in folder ${root}${filtered}`);
  }
  return found;
}

// Whatever node (and a registered loader such as ts-node) can load: .js,
// .cjs, .mjs, and .ts only when a loader registered it; never a test, a spec,
// a declaration or a source map.
function isLoadable(file: string): boolean {
  if (NEVER_LOADED.test(file)) return false;
  const extension = path.extname(file);
  if (extension === '.mjs') return true;
  return extension !== '.json' && extension !== '.node' && extension in require.extensions;
}

async function exportsOf(file: string): Promise<unknown[]> {
  try {
    if (file.endsWith('.mjs')) return Object.values(await import(pathToFileURL(file).href));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported: unknown = require(file);
    return exported !== null && typeof exported === 'object' ? Object.values(exported) : [exported];
  } catch (error) {
    throw new ControllerLoadError(`Cannot load controller module ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
