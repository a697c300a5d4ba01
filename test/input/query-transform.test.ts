// Validated queries may repair a value instead of refusing it: a property
// initialiser is the default, and @Transform (class-transformer) runs before
// validation, so it can clamp. The clamp is the one docs/validated-input.md shows.

import { expect } from 'chai';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Controller, Get, HttpPoolApp, type HttpRequest, type HttpResponse } from '../../src/index';
import { appStarter } from '../helpers/start-app';

const clamp = (value: unknown, min: number, max: number, fallback: number): number => {
  const n = Number.parseInt(String(value), 10);
  return Number.isNaN(n) ? fallback : Math.min(Math.max(n, min), max);
};

class QueriesQuery {
  @Transform(({ value }) => clamp(value, 1, 500, 1))
  @IsInt()
  @Min(1)
  @Max(500)
  queries: number = 1;
}

@Controller()
class QueriesController {
  @Get('/queries', { query: QueriesQuery })
  queries(_res: HttpResponse, req: HttpRequest<unknown, QueriesQuery>) {
    return { queries: req.query.queries, type: typeof req.query.queries };
  }
}

const CASES = [
  ['', 1],
  ['?queries=foo', 1],
  ['?queries=0', 1],
  ['?queries=-3', 1],
  ['?queries=9000', 500],
  ['?queries=20', 20],
  ['?queries=3&queries=4', 3],
] as const;

describe('validated queries that transform (clamp and default)', () => {
  const startApp = appStarter({ scope: 'all' });

  for (const [search, expected] of CASES) {
    it(`GET /queries${search} → queries ${expected}, a number`, async () => {
      const { url } = await startApp({ controllers: [QueriesController] });
      const res = await fetch(`${url}/queries${search}`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ queries: expected, type: 'number' });
    });
  }

  it('clamps the same through inject()', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [QueriesController], logger: false });
    try {
      for (const [search, expected] of CASES) {
        expect((await app.inject({ url: `/queries${search}` })).json(), search).to.deep.equal({
          queries: expected,
          type: 'number',
        });
      }
    } finally {
      await app.close();
    }
  });
});
