// The one shape of the `@Use…` decorators (guards, error filters,
// interceptors): on a class, its items apply to every route; on a method, to
// that route; on a static method, a bootstrap error.

import { RouteDefinitionError } from '../errors';
import { addToList, type Constructor, type DecoratedList } from './route-metadata';

/** A decorator that adds `items` to `list` for the class or method it decorates; `name` is how errors call it. */
export function listDecorator(
  list: DecoratedList,
  name: string,
  items: readonly unknown[],
): ClassDecorator & MethodDecorator {
  return ((target: object, propertyKey?: string | symbol) => {
    if (propertyKey === undefined) {
      addToList(list, target as Constructor, undefined, items);
    } else if (typeof target === 'function') {
      throw new RouteDefinitionError(
        `${name} on static method ${target.name}.${String(propertyKey)}: routes must be instance methods`,
      );
    } else {
      addToList(list, target.constructor as Constructor, String(propertyKey), items);
    }
  }) as ClassDecorator & MethodDecorator;
}
