// The `controllers` option: classes, folders, and folders with filters; its
// types and the checks that name the field, as options.ts does for the rest.

import type { Constructor } from './route-metadata';

/**
 * Picks files of a controllers folder by their path relative to the folder,
 * with `/` between segments (`users/users.controller.js`): a RegExp, or a
 * function returning true for the files it means.
 */
export type ControllerFileFilter = RegExp | ((file: string) => boolean);

/**
 * A folder of controller modules, read recursively, and which of its files to
 * load. Test and spec files (`*.test.*`, `*.spec.*`), declaration files
 * (`*.d.ts`) and source maps (`*.map`) are never loaded; `exclude` skips
 * more, `include` loads only what it matches.
 *
 * @example
 * controllers: { dir: path.join(__dirname, 'controllers'), include: /\.controller\.js$/ }
 */
export interface ControllerFolder {
  /** The folder, read with its subfolders. */
  dir: string;
  /** Load only the files that match (any one of a list); default: every module node can load. */
  include?: ControllerFileFilter | readonly ControllerFileFilter[];
  /** Skip the files that match (any one of a list), besides those always skipped. */
  exclude?: ControllerFileFilter | readonly ControllerFileFilter[];
}

/** One entry of the `controllers` option. */
export type ControllerSource = Constructor | string | ControllerFolder;

const FOLDER_KEYS = new Set(['dir', 'include', 'exclude']);

/**
 * Checks the `controllers` option (a folder, a `{ dir, include, exclude }`
 * folder, or a list of classes and folders) and returns it as a list.
 */
export function checkControllers(value: unknown): readonly ControllerSource[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (isPlainObject(value)) return [checkFolder(value, 'controllers')];
  if (!Array.isArray(value)) {
    throw new TypeError(
      'Option "controllers" must be an array of classes and folders, a folder path, ' +
        `or a { dir, include, exclude } folder, got ${describe(value)}`,
    );
  }
  return (value as unknown[]).map((item, index) => {
    if (typeof item === 'function' || typeof item === 'string') return item as Constructor | string;
    if (isPlainObject(item)) return checkFolder(item, `controllers[${index}]`);
    throw new TypeError(
      `Option "controllers" must hold classes, folder paths or { dir, include, exclude } folders, got ${describe(item)}`,
    );
  });
}

function checkFolder(value: object, where: string): ControllerFolder {
  for (const key of Object.keys(value)) {
    if (!FOLDER_KEYS.has(key))
      throw new TypeError(`Unknown option "${where}.${key}" (a folder takes dir, include, exclude)`);
  }
  const { dir, include, exclude } = value as Record<string, unknown>;
  if (typeof dir !== 'string' || dir === '') {
    throw new TypeError(`Option "${where}.dir" must be a folder path, got ${describe(dir)}`);
  }
  const folder: ControllerFolder = { dir };
  if (include !== undefined) folder.include = checkFilters(include, `${where}.include`);
  if (exclude !== undefined) folder.exclude = checkFilters(exclude, `${where}.exclude`);
  return folder;
}

function checkFilters(value: unknown, where: string): readonly ControllerFileFilter[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  for (const filter of list) {
    if (!(filter instanceof RegExp) && typeof filter !== 'function') {
      throw new TypeError(
        `Option "${where}" must be a RegExp, a function (file) => boolean, or an array of them, got ${describe(filter)}`,
      );
    }
  }
  return list as ControllerFileFilter[];
}

/** True when `file` (relative to its folder, `/`-separated) matches one of `filters`. */
export function matchesAny(file: string, filters: readonly ControllerFileFilter[]): boolean {
  // `search` ignores a global RegExp's lastIndex, which `test` would carry from one file to the next.
  return filters.some((filter) => (typeof filter === 'function' ? Boolean(filter(file)) : file.search(filter) >= 0));
}

function isPlainObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name}`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}
