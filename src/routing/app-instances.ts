// AppInstances: the one instance per class per app of what decorators name by
// class (guards, error filters), made by the app's container, so their state
// (a cache, a client) is the app's, as a controller's is.

import type { DependencyContainer } from 'tsyringe';
import { checkInjectable } from './controller-injection';
import type { Constructor } from './route-metadata';

export class AppInstances {
  private readonly made = new Map<Constructor, unknown>();

  constructor(private readonly container: DependencyContainer) {}

  /** The app's instance of `item` if it is a class (`kind` names it in a bootstrap error); else `item` itself. */
  of<T extends object>(item: Constructor<T> | T, kind: string): T {
    if (typeof item !== 'function') return item;
    let instance = this.made.get(item) as T | undefined;
    if (instance === undefined) {
      checkInjectable(item, this.container, kind);
      instance = this.container.resolve(item);
      this.made.set(item, instance);
    }
    return instance;
  }
}

/**
 * Whether `value` is a class whose instances have a method `name`, or an
 * object that has one: what a guard, an interceptor or an error filter is.
 */
export function hasMethod(value: unknown, name: string): boolean {
  const holder = typeof value === 'function' ? (value.prototype as unknown) : value;
  return typeof (holder as Record<string, unknown> | null | undefined)?.[name] === 'function';
}
