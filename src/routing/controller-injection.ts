// A controller's (or a guard's) constructor parameters, checked before the container makes
// it: what tsyringe would otherwise fail on with "TypeInfo not known", or,
// worse, inject without a word (`new Object()` for a type-only import).
//
// tsyringe injects by the types tsc records in `design:paramtypes` when
// `emitDecoratorMetadata` is on, overridden per parameter by @inject(token).

import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { RouteDefinitionError } from '../errors';
import type { Constructor } from './route-metadata';

/** Where tsyringe's @inject keeps its tokens, by parameter index (reflection-helpers.js). */
const INJECTION_TOKENS_KEY = 'injectionTokens';

/**
 * What tsc records for a parameter it has no class for: an interface or a
 * union (`Object`), a class imported with `import type` (`Function`), a class
 * not yet defined when the decorator ran, in a circular import (`undefined`).
 */
const NO_CLASS = new Set<unknown>([undefined, null, Object, Function]);

/** Built-ins tsc records for primitive and array types: tsyringe would inject `new String()` and the like. */
const BUILT_INS = new Set<unknown>([String, Number, Boolean, Symbol, BigInt, Array]);

/**
 * Throws `RouteDefinitionError` naming the controller (and the parameter) when
 * its constructor cannot be injected as written. A controller the container
 * already has a provider for is the caller's to make, and is not checked.
 */
export function checkInjectable(ctor: Constructor, container: DependencyContainer, kind = 'Controller'): void {
  if (container.isRegistered(ctor, true)) return;
  const paramTypes = Reflect.getMetadata('design:paramtypes', ctor) as unknown[] | undefined;
  const tokens = (Reflect.getOwnMetadata(INJECTION_TOKENS_KEY, ctor) ?? {}) as Record<number, unknown>;
  if (paramTypes === undefined) {
    for (let index = 0; index < ctor.length; index++) {
      if (tokens[index] !== undefined) continue;
      throw new RouteDefinitionError(
        `${kind} ${ctor.name}: its constructor takes ${ctor.length} parameter${ctor.length === 1 ? '' : 's'} ` +
          'but has no design:paramtypes metadata, so nothing can be injected by type. It was compiled without ' +
          'emitDecoratorMetadata (esbuild, tsx, swc and vite do not emit it): compile it with tsc and ' +
          '"emitDecoratorMetadata": true, or name each parameter with @inject(token)',
      );
    }
    return;
  }
  paramTypes.forEach((type, index) => {
    if (tokens[index] !== undefined) return;
    if (NO_CLASS.has(type)) {
      throw new RouteDefinitionError(
        `${kind} ${ctor.name}: constructor parameter #${index} has no class to inject by (its recorded type is ` +
          `${type === undefined || type === null ? String(type) : (type as Constructor).name}): it is typed with an ` +
          'interface, with a class imported by `import type`, or with a class not yet defined when the ' +
          `${kind.toLowerCase()} was (a circular import). Import the class as a value, or name the parameter with @inject(token)`,
      );
    }
    if (BUILT_INS.has(type) && !container.isRegistered(type as InjectionToken, true)) {
      throw new RouteDefinitionError(
        `${kind} ${ctor.name}: constructor parameter #${index} is a ${(type as Constructor).name}, which cannot ` +
          'be injected by type: register a value under a token and name the parameter with @inject(token)',
      );
    }
  });
}
