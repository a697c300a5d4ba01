// Turns the `controllers` option (classes and folder paths) into classes.
//
// A folder is read recursively; every module in it that node can load is
// loaded, and the classes it exports that carry @Controller are kept.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ControllerLoadError, RouteDefinitionError } from '../errors';
import { getController, getRoutes, type Constructor } from './route-metadata';

const DECLARATION_FILE = /\.d\.[cm]?ts$/;

export async function loadControllers(sources: ReadonlyArray<Constructor | string>): Promise<Constructor[]> {
  const classes = new Set<Constructor>();
  for (const source of sources) {
    if (typeof source === 'function') classes.add(source);
    else for (const ctor of await loadFolder(source)) classes.add(ctor);
  }
  return [...classes];
}

async function loadFolder(folder: string): Promise<Constructor[]> {
  const root = path.resolve(folder);
  let names: string[];
  try {
    names = await readdir(root, { recursive: true });
  } catch (error) {
    throw new ControllerLoadError(`Cannot read controllers folder ${root}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const found: Constructor[] = [];
  for (const name of names.filter(isLoadable).sort()) {
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
  if (found.length === 0) throw new RouteDefinitionError(`No @Controller classes found in folder ${root}`);
  return found;
}

// Whatever node (and a registered loader such as ts-node) can load: .js,
// .cjs, .mjs, and .ts only when a loader registered it.
function isLoadable(name: string): boolean {
  if (DECLARATION_FILE.test(name)) return false;
  const extension = path.extname(name);
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
