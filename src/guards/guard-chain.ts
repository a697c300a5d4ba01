// GuardChain: a route's guards, made once at bootstrap and asked in order on
// every request to it, before the request becomes a job.

import { ForbiddenError } from '../errors';
import type { HttpRequest } from '../http/http-types';
import type { AppInstances } from '../routing/app-instances';
import type { CanActivate, Guard, GuardContext } from './guard';

export class GuardChain {
  private constructor(
    private readonly guards: readonly CanActivate[],
    private readonly context: GuardContext,
  ) {}

  /** The chain for a route, or `undefined` when it has no guard (the common case costs one check). */
  static of(guards: readonly Guard[], context: GuardContext, instances: AppInstances): GuardChain | undefined {
    if (guards.length === 0) return undefined;
    return new GuardChain(
      guards.map((guard) => instances.of(guard, 'Guard')),
      context,
    );
  }

  /**
   * Asks each guard in turn. Returns `undefined` when every guard said yes
   * synchronously, else a promise of the same; a refusal throws (or rejects)
   * `ForbiddenError`, and a guard's own throw passes through.
   */
  check(req: HttpRequest): Promise<void> | undefined {
    return this.from(0, req);
  }

  private from(start: number, req: HttpRequest): Promise<void> | undefined {
    for (let index = start; index < this.guards.length; index++) {
      const guard = this.guards[index] as CanActivate;
      const answer = guard.canActivate(req, this.context);
      if (answer === true) continue;
      if (isThenable(answer)) return Promise.resolve(answer).then((allowed) => this.after(allowed, index, req));
      throw refusal(guard, answer);
    }
    return undefined;
  }

  private after(allowed: unknown, index: number, req: HttpRequest): Promise<void> | undefined {
    if (allowed !== true) throw refusal(this.guards[index] as CanActivate, allowed);
    return this.from(index + 1, req);
  }
}

// Only `true` lets a request through: a guard that returns nothing (a missed
// `return`) refuses rather than opening the route.
function refusal(guard: CanActivate, answer: unknown): ForbiddenError {
  return new ForbiddenError(guard.constructor.name, answer === false ? undefined : typeof answer);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
