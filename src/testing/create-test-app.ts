// createTestApp: an app built for a test, as NestJS users build a testing
// module: controllers, the providers to override, and (optionally) a pool the
// test drives by hand. Logging is off unless the test turns it on.

import { container as rootContainer, type InjectionToken } from 'tsyringe';
import { HttpPoolApp } from '../app';
import { WorkerPool } from '../jobs/worker-pool';
import type { HttpPoolOptions } from '../options';

/** A registration for the test app's container, in tsyringe's provider shapes. */
export type TestProvider<T = unknown> =
  | { provide: InjectionToken<T>; useValue: T }
  | { provide: InjectionToken<T>; useClass: new (...args: never[]) => T }
  | { provide: InjectionToken<T>; useFactory: () => T };

export interface TestAppOptions extends HttpPoolOptions {
  /** What controllers get injected instead of the real thing. */
  providers?: readonly TestProvider[];
  /** The pool that schedules the app's requests: a `FakePool` to hold and start jobs by hand. */
  pool?: WorkerPool;
}

/**
 * @example
 * const users = { find: (id: string) => ({ id, name: 'Ada' }) };
 * const app = await createTestApp({ controllers: [UserController], providers: [{ provide: UserService, useValue: users }] });
 * const res = await app.inject('/users/1');
 * expect(res.json()).to.deep.equal({ id: '1', name: 'Ada' });
 */
export function createTestApp(options: TestAppOptions = {}): Promise<HttpPoolApp> {
  const { providers = [], pool, ...appOptions } = options;
  const scope = (appOptions.container ?? rootContainer).createChildContainer();
  for (const provider of providers) register(scope, provider);
  if (pool !== undefined) scope.register(WorkerPool, { useValue: pool });
  return HttpPoolApp.bootstrap({ logger: false, ...appOptions, container: scope });
}

function register(scope: ReturnType<typeof rootContainer.createChildContainer>, provider: TestProvider): void {
  if ('useValue' in provider) scope.register(provider.provide, { useValue: provider.useValue });
  else if ('useClass' in provider) scope.register(provider.provide, { useClass: provider.useClass as never });
  else if ('useFactory' in provider) scope.register(provider.provide, { useFactory: provider.useFactory });
  else throw new TypeError('createTestApp: a provider needs { provide, useValue | useClass | useFactory }');
}
