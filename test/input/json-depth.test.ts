// A declared JSON body nested past MAX_JSON_DEPTH is a 400, before
// class-transformer recurses into it and overflows the stack (a 500 with a
// stack trace logged per request).

import { expect } from 'chai';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { Controller, Post, type HttpRequest } from '../../src/index';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../src/input/json-depth';
import { captureLogs, LEVELS } from '../helpers/capture-logs';
import { appStarter } from '../helpers/start-app';
import { waitFor } from '../helpers/wait-for';

class Node {
  @IsString()
  name!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => Node)
  child?: Node;
}

@Controller('/deep')
class DeepController {
  @Post('/node', { body: Node })
  node(_res: unknown, req: HttpRequest<Node>) {
    let depth = 0;
    for (let node: Node | undefined = req.body; node !== undefined; node = node.child) depth++;
    return { depth };
  }
}

/** `{"name":"n","child":{…}}` nested `levels` objects deep. */
function chain(levels: number): string {
  return '{"name":"n","child":'.repeat(levels - 1) + '{"name":"n"}' + '}'.repeat(levels - 1);
}

describe('deeply nested JSON bodies', () => {
  const startApp = appStarter();

  async function post(url: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${url}/deep/node`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const DEEP_BODIES: [string, string][] = [
    ['1,500 levels of [ in an undeclared property', `{"name":"n","extra":${'['.repeat(1500)}${']'.repeat(1500)}}`],
    [
      '10,000 levels of {"a": in an undeclared property',
      `{"name":"n","a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
    ],
    ['3,000 levels of the declared nested class', chain(3000)],
  ];
  for (const [label, body] of DEEP_BODIES) {
    it(`${label}: 400 in the JSON error shape, nothing logged as an error`, async () => {
      const { logger, lines } = captureLogs('info');
      const { url } = await startApp({ controllers: [DeepController], logger });
      const answer = await post(url, body);
      expect(answer.status).to.equal(400);
      expect(answer.body).to.deep.equal({
        statusCode: 400,
        error: 'Bad Request',
        message: `Request body nests deeper than ${MAX_JSON_DEPTH} levels`,
        details: [],
      });
      await waitFor(() => lines.some((line) => line.msg === 'request'), 'the access line');
      expect(lines.filter((line) => line.level >= LEVELS.error)).to.deep.equal([]);
    });
  }

  it(`accepts a body nested exactly ${MAX_JSON_DEPTH} levels deep`, async () => {
    const { url } = await startApp({ controllers: [DeepController] });
    expect(await post(url, chain(MAX_JSON_DEPTH))).to.deep.equal({ status: 200, body: { depth: MAX_JSON_DEPTH } });
    expect((await post(url, chain(MAX_JSON_DEPTH + 1))).status).to.equal(400);
  });

  describe('nestedDeeperThan()', () => {
    it('counts the top-level object or array as level 1', () => {
      expect(nestedDeeperThan({}, 1)).to.equal(false);
      expect(nestedDeeperThan({}, 0)).to.equal(true);
      expect(nestedDeeperThan({ a: [] }, 1)).to.equal(true);
      expect(nestedDeeperThan({ a: [1, 'x', null] }, 2)).to.equal(false);
      expect(nestedDeeperThan(JSON.parse('{"a":[[1]]}') as object, 2)).to.equal(true);
    });

    it('finds the deep branch among shallow siblings', () => {
      const wide = {
        list: Array.from({ length: 1000 }, () => ({ x: 1 })),
        deep: JSON.parse(`${'['.repeat(10)}${']'.repeat(10)}`),
      };
      expect(nestedDeeperThan(wide, 10)).to.equal(true);
      expect(nestedDeeperThan(wide, 11)).to.equal(false);
    });

    it('skips the walk for a text too short to nest that deep', () => {
      const deep = JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`) as object;
      expect(nestedDeeperThan(deep, 128, 400)).to.equal(true);
      expect(nestedDeeperThan(deep, 128, 257)).to.equal(false);
    });

    it('walks 100,000 levels without overflowing the stack', () => {
      const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as object;
      expect(nestedDeeperThan(deep, MAX_JSON_DEPTH)).to.equal(true);
    });
  });
});
