// Bootstrap refuses what could never be served as written: a route at the
// metrics path, and controllers whose constructors cannot be injected.

import { expect } from 'chai';
import { container as rootContainer, inject, injectable } from 'tsyringe';
import { Controller, Get, HttpPoolApp, RouteDefinitionError, type HttpPoolOptions } from '../../src/index';
import { appStarter } from '../helpers/start-app';
import { rejectionOf } from '../helpers/wait-for';

@Controller()
class MetricsPathController {
  @Get('/metrics')
  mine() {
    return { mine: true };
  }
}

@Controller('/ops')
class StatsController {
  @Get('/stats')
  stats() {
    return { stats: true };
  }
}

async function bootstrapError(options: HttpPoolOptions): Promise<Error> {
  const error = await rejectionOf(HttpPoolApp.bootstrap({ logger: false, ...options }));
  expect(error).to.be.instanceOf(Error);
  return error as Error;
}

describe('bootstrap checks', () => {
  const startApp = appStarter();

  describe('a route at the metrics path', () => {
    it('is a RouteDefinitionError with metrics: true, naming the route', async () => {
      const error = await bootstrapError({ controllers: [MetricsPathController], metrics: true });
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect(error.message).to.include('MetricsPathController.mine').and.include('/metrics');
    });

    it('is a RouteDefinitionError at metrics.path, prefix included', async () => {
      const error = await bootstrapError({ controllers: [StatsController], metrics: { path: '/ops/stats' } });
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect(error.message).to.include('StatsController.stats').and.include('metrics.path');
    });

    it('is served when metrics are off, or elsewhere', async () => {
      const off = await startApp({ controllers: [MetricsPathController] });
      expect(await (await fetch(`${off.url}/metrics`)).json()).to.deep.equal({ mine: true });
      const moved = await startApp({ controllers: [MetricsPathController], metrics: { path: '/internal/metrics' } });
      expect(await (await fetch(`${moved.url}/metrics`)).json()).to.deep.equal({ mine: true });
      expect((await fetch(`${moved.url}/internal/metrics`)).headers.get('content-type')).to.match(/^text\/plain/);
    });
  });

  describe('controller constructors', () => {
    @injectable()
    class Clock {
      now(): number {
        return 7;
      }
    }

    /** Declares `GET <prefix>/now` on `ctor` and marks it @Controller, as a compiler without decorator metadata would. */
    function declareController<T extends new (...args: never[]) => object>(ctor: T, prefix: string): T {
      const now = Object.getOwnPropertyDescriptor(ctor.prototype, 'now') as PropertyDescriptor;
      Get('/now')(ctor.prototype as object, 'now', now);
      Controller(prefix)(ctor);
      return ctor;
    }

    // No @-decorators: tsc emits no design:paramtypes, as esbuild or tsx never do.
    class NoMetadataController {
      constructor(readonly clock: Clock) {}
      now() {
        return this.clock.now();
      }
    }
    declareController(NoMetadataController, '/no-metadata');

    it('without design:paramtypes: a RouteDefinitionError naming the controller and the fix', async () => {
      const error = await bootstrapError({ controllers: [NoMetadataController] });
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect(error.message)
        .to.include('NoMetadataController')
        .and.include('design:paramtypes')
        .and.include('emitDecoratorMetadata')
        .and.include('@inject(');
    });

    /** A controller whose recorded parameter types are `types`, as tsc would record them. */
    function withParamTypes(types: unknown[], prefix: string, tokens: Record<number, symbol> = {}) {
      class TypedController {
        constructor(
          readonly clock: Clock,
          readonly other: unknown,
        ) {}
        now() {
          return this.clock.now() + (typeof this.other === 'number' ? this.other : 0);
        }
      }
      Reflect.defineMetadata('design:paramtypes', types, TypedController);
      // Parameter decorators run before the class's, as tsc orders them.
      for (const [index, token] of Object.entries(tokens)) inject(token)(TypedController, undefined, Number(index));
      return declareController(TypedController, prefix);
    }

    for (const [label, recorded] of [
      ['a class imported with `import type` (Function)', Function],
      ['an interface (Object)', Object],
      ['a circular import (undefined)', undefined],
    ] as const) {
      it(`a parameter typed with ${label}: a RouteDefinitionError naming the controller and the index`, async () => {
        const error = await bootstrapError({ controllers: [withParamTypes([Clock, recorded], '/typed')] });
        expect(error).to.be.instanceOf(RouteDefinitionError);
        expect(error.message).to.include('TypedController').and.include('#1').and.include('import type');
      });
    }

    it('a parameter typed string: a RouteDefinitionError saying to inject a token', async () => {
      const error = await bootstrapError({ controllers: [withParamTypes([Clock, String], '/typed')] });
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect(error.message).to.include('TypedController').and.include('#1').and.include('@inject(token)');
    });

    it('is served when @inject names the parameters the metadata cannot', async () => {
      const token = Symbol('answer');
      const child = rootContainer.createChildContainer();
      child.register(token, { useValue: 35 });

      const typed = withParamTypes([Clock, Object], '/typed', { 1: token });

      class AllTokensController {
        constructor(
          readonly clock: Clock,
          readonly answer: number,
        ) {}
        now() {
          return this.clock.now() + this.answer;
        }
      }
      inject(Clock)(AllTokensController, undefined, 0);
      inject(token)(AllTokensController, undefined, 1);
      declareController(AllTokensController, '/tokens');

      const { url } = await startApp({ controllers: [typed, AllTokensController], container: child });
      expect(await (await fetch(`${url}/typed/now`)).json()).to.equal(42);
      expect(await (await fetch(`${url}/tokens/now`)).json()).to.equal(42);
    });

    it('leaves alone a controller the container has a provider for', async () => {
      const child = rootContainer.createChildContainer();
      child.register(NoMetadataController, { useValue: new NoMetadataController(new Clock()) });
      const { url } = await startApp({ controllers: [NoMetadataController], container: child });
      expect(await (await fetch(`${url}/no-metadata/now`)).json()).to.equal(7);
    });
  });
});
