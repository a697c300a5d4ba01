// Validated input at bootstrap: the unknownProperties option, route input
// options that could never work, and routes without input left untouched.

import { expect } from 'chai';
import { IsString } from 'class-validator';
import { container } from 'tsyringe';
import { Controller, DEFAULT_OPTIONS, Get, HttpPoolApp, Post, RouteDefinitionError } from '../../src/index';
import { resolveOptions, type HttpPoolOptions } from '../../src/options';
import type { RouteOptions } from '../../src/routing/route-metadata';
import { RouteInput } from '../../src/input/route-input';
import { RouteTable } from '../../src/routing/route-table';
import { rejectionOf } from '../helpers/wait-for';

class Named {
  @IsString()
  name!: string;
}

/** No class-validator decorator at all. */
class Undecorated {
  name!: string;
}

/** A controller with one POST route declared with `options`, made fresh for each test. */
function controllerWith(options: RouteOptions) {
  @Controller('/opt')
  class OptionsController {
    @Post('/thing', options)
    thing() {
      return 1;
    }
  }
  return OptionsController;
}

describe('validated input at bootstrap', () => {
  describe('the app option unknownProperties', () => {
    it("defaults to 'strip'", () => {
      expect(DEFAULT_OPTIONS.unknownProperties).to.equal('strip');
      expect(resolveOptions({}).unknownProperties).to.equal('strip');
    });

    it("keeps 'strip' and 'reject'", () => {
      expect(resolveOptions({ unknownProperties: 'reject' }).unknownProperties).to.equal('reject');
      expect(resolveOptions({ unknownProperties: 'strip' }).unknownProperties).to.equal('strip');
    });

    for (const bad of ['drop', 'REJECT', 1, null, true]) {
      it(`rejects ${JSON.stringify(bad)} with a TypeError naming the option`, () => {
        expect(() => resolveOptions({ unknownProperties: bad } as unknown as HttpPoolOptions)).to.throw(
          TypeError,
          /"unknownProperties" must be 'strip' or 'reject'/,
        );
      });
    }
  });

  describe('route options that could never work throw RouteDefinitionError, naming the route', () => {
    const cases: Array<[string, RouteOptions, RegExp]> = [
      [
        'a body that is not a class',
        { body: { name: 'x' } as never },
        /OptionsController\.thing: the body option must be a class/,
      ],
      ['a query that is not a class', { query: 'PageQuery' as never }, /the query option must be a class/],
      [
        'a body class with no class-validator decorators',
        { body: Undecorated },
        /OptionsController\.thing: body class Undecorated has no class-validator decorators/,
      ],
      [
        'params with no class-validator decorators',
        { params: Undecorated },
        /params class Undecorated has no class-validator decorators/,
      ],
      [
        'an unknownProperties other than strip or reject',
        { body: Named, unknownProperties: 'ignore' as never },
        /OptionsController\.thing: unknownProperties must be 'strip' or 'reject', got "ignore"/,
      ],
    ];
    for (const [what, options, message] of cases) {
      it(what, async () => {
        const error = await rejectionOf(
          HttpPoolApp.bootstrap({ controllers: [controllerWith(options)], logger: false }),
        );
        expect(error).to.be.instanceOf(RouteDefinitionError);
        expect((error as Error).message).to.match(message);
      });
    }
  });

  it('gives a route an input plan only when it declares body, query or params', () => {
    @Controller('/plan')
    class PlanController {
      @Get('/plain')
      plain() {
        return 1;
      }

      @Post('/only-option', { unknownProperties: 'reject' })
      onlyOption() {
        return 1;
      }

      @Post('/with-body', { body: Named })
      withBody() {
        return 1;
      }
    }
    const table = RouteTable.build([PlanController], container.createChildContainer());
    const inputs = Object.fromEntries(table.routes.map((route) => [route.name, route.input]));
    expect(inputs['PlanController.plain']).to.equal(undefined);
    expect(inputs['PlanController.onlyOption']).to.equal(undefined);
    expect(inputs['PlanController.withBody']).to.be.instanceOf(RouteInput);
  });
});
