// Validated input over HTTP: body, query and params classes, every way they
// fail, nested objects and arrays, unknown properties, and the handler's types.

import { expect } from 'chai';
import { Type } from 'class-transformer';
import { IsArray, IsEmail, IsInt, IsOptional, IsString, Length, Min, ValidateNested } from 'class-validator';
import {
  Controller,
  Get,
  Post,
  type HttpPoolOptions,
  type HttpRequest,
  type HttpResponse,
  type InputViolation,
} from '../../src/index';
import { appStarter, type StartedApp } from '../helpers/start-app';

class Address {
  @IsString()
  city!: string;

  @IsString()
  @Length(2, 2)
  country!: string;
}

class Item {
  @IsString()
  sku!: string;

  @IsInt()
  @Min(1)
  qty!: number;
}

class CreateUser {
  @IsString()
  @Length(1, 50)
  name!: string;

  @IsInt()
  @Min(0)
  age!: number;

  @IsOptional()
  @IsEmail()
  email?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => Address)
  address?: Address;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Item)
  items?: Item[];
}

class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page: number = 1;

  @IsOptional()
  @IsString()
  q?: string;
}

/** No @Type: relies on the implicit conversion of query strings to the declared type. */
class LimitQuery {
  @IsInt()
  @Min(1)
  limit!: number;
}

class IdParams {
  @IsInt()
  @Min(1)
  id!: number;
}

@Controller('/in')
class InputController {
  // The type-level check: body and query are typed from the generics, no casts.
  @Post('/users', { body: CreateUser, query: PageQuery })
  create(res: HttpResponse, req: HttpRequest<CreateUser, PageQuery>) {
    const upper: string = req.body.name.toUpperCase();
    const nextPage: number = req.query.page + 1;
    // @ts-expect-error `name` is a string, so this must not compile.
    const wrong: number = req.body.name;
    void wrong;
    res.statusCode = 201;
    return {
      body: req.body,
      upper,
      nextPage,
      isInstance: req.body instanceof CreateUser,
      addressIsInstance: req.body.address === undefined || req.body.address instanceof Address,
      itemsAreInstances: (req.body.items ?? []).every((item) => item instanceof Item),
      signalAborted: req.signal.aborted,
    };
  }

  @Post('/strict', { body: CreateUser, unknownProperties: 'reject' })
  strict(_res: HttpResponse, req: HttpRequest<CreateUser>) {
    return req.body;
  }

  @Post('/lenient', { body: CreateUser, unknownProperties: 'strip' })
  lenient(_res: HttpResponse, req: HttpRequest<CreateUser>) {
    return req.body;
  }

  @Get('/page', { query: PageQuery })
  page(_res: HttpResponse, req: HttpRequest<unknown, PageQuery>) {
    return { query: req.query, pageType: typeof req.query.page };
  }

  @Get('/limit', { query: LimitQuery })
  limit(_res: HttpResponse, req: HttpRequest<unknown, LimitQuery>) {
    return { limit: req.query.limit, limitType: typeof req.query.limit };
  }

  @Get('/items/:id', { params: IdParams })
  item(_res: HttpResponse, req: HttpRequest<unknown, unknown, IdParams>) {
    return { id: req.params.id, idType: typeof req.params.id };
  }
}

const VALID = { name: 'Ada', age: 36 };

interface ErrorAnswer {
  statusCode: number;
  error: string;
  message: string;
  details?: InputViolation[];
}

describe('validated input', () => {
  const startApp = appStarter({ scope: 'all' });
  let started: StartedApp;
  let url: string;

  before(async () => {
    started = await startApp({ controllers: [InputController], workers: 2 });
    url = started.url;
  });

  function post(path: string, body: unknown, contentType = 'application/json'): Promise<Response> {
    return fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function expectError(response: Response, status: number, message: RegExp | string): Promise<ErrorAnswer> {
    const answer = (await response.json()) as ErrorAnswer;
    expect(response.status, JSON.stringify(answer)).to.equal(status);
    expect(answer.statusCode).to.equal(status);
    if (typeof message === 'string') expect(answer.message).to.equal(message);
    else expect(answer.message).to.match(message);
    return answer;
  }

  describe('body', () => {
    it('hands the handler a validated instance of the body class, nested ones included', async () => {
      const body = {
        ...VALID,
        email: 'ada@example.com',
        address: { city: 'London', country: 'GB' },
        items: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 2 },
        ],
      };
      const response = await post('/in/users', body);
      expect(response.status).to.equal(201);
      expect(await response.json()).to.deep.equal({
        body,
        upper: 'ADA',
        nextPage: 2,
        isInstance: true,
        addressIsInstance: true,
        itemsAreInstances: true,
        signalAborted: false,
      });
    });

    it('does not run the handler, nor take a worker, for a body that fails', async () => {
      const before = started.app.stats().completed;
      await expectError(await post('/in/users', { name: 'Ada' }), 400, 'Invalid request body: age');
      expect(started.app.stats().completed).to.equal(before);
    });

    it('answers 400 with one details entry per failing property and class-validator messages', async () => {
      const answer = await expectError(await post('/in/users', { age: -1 }), 400, 'Invalid request body: name, age');
      expect(answer.error).to.equal('Bad Request');
      expect(answer.details).to.deep.equal([
        {
          property: 'name',
          constraints: {
            isLength: 'name must be longer than or equal to 1 characters',
            isString: 'name must be a string',
          },
        },
        { property: 'age', constraints: { min: 'age must not be less than 0' } },
      ]);
    });

    it('keeps JSON types: a number sent as a string is a 400, not converted', async () => {
      const answer = await expectError(await post('/in/users', { name: 'Ada', age: '36' }), 400, /age/);
      expect(answer.details?.[0]?.property).to.equal('age');
      expect(answer.details?.[0]?.constraints).to.have.property('isInt', 'age must be an integer number');
      const named = await expectError(await post('/in/users', { name: 42, age: 36 }), 400, /name/);
      expect(named.details?.[0]?.constraints).to.have.property('isString');
    });

    it('reports a failing nested object under children', async () => {
      const answer = await expectError(
        await post('/in/users', { ...VALID, address: { city: 'London', country: 'GBR' } }),
        400,
        'Invalid request body: address',
      );
      expect(answer.details).to.deep.equal([
        {
          property: 'address',
          constraints: {},
          children: [
            { property: 'country', constraints: { isLength: 'country must be shorter than or equal to 2 characters' } },
          ],
        },
      ]);
    });

    it('reports a failing array item under children, named by its index', async () => {
      const answer = await expectError(
        await post('/in/users', {
          ...VALID,
          items: [
            { sku: 'a', qty: 1 },
            { sku: 'b', qty: 0 },
          ],
        }),
        400,
        'Invalid request body: items',
      );
      expect(answer.details).to.deep.equal([
        {
          property: 'items',
          constraints: {},
          children: [
            {
              property: '1',
              constraints: {},
              children: [{ property: 'qty', constraints: { min: 'qty must not be less than 1' } }],
            },
          ],
        },
      ]);
    });

    it('rejects a nested value that is not an object', async () => {
      const answer = await expectError(await post('/in/users', { ...VALID, address: 'London' }), 400, /address/);
      expect(answer.details?.[0]?.constraints).to.have.property('nestedValidation');
    });

    it('never echoes the rejected value', async () => {
      const response = await post('/in/users', { name: 'Ada', age: 'secret-value-123' });
      expect(response.status).to.equal(400);
      expect(await response.text()).to.not.include('secret-value-123');
    });

    it('answers 400 for JSON that is not an object', async () => {
      for (const body of ['[1,2]', '42', '"text"', 'null']) {
        const answer = await expectError(await post('/in/users', body), 400, 'Request body must be a JSON object');
        expect(answer.details).to.deep.equal([]);
      }
    });

    it('answers 400 for malformed JSON', async () => {
      await expectError(await post('/in/users', '{"name": "Ada",'), 400, /^Request body is not valid JSON\b/);
      // V8's own message would quote the body ("{'name': 'Ada'}" is not valid JSON): it is not repeated.
      const quoted = await expectError(
        await post('/in/users', "{'name': 'Ada'}"),
        400,
        /^Request body is not valid JSON\b/,
      );
      expect(quoted.message).to.not.include('Ada');
    });

    it('answers 400 for a missing or empty body', async () => {
      const none = await fetch(`${url}/in/users`, { method: 'POST' });
      await expectError(none, 400, 'Request body is empty; this route expects a JSON body');
      await expectError(await post('/in/users', ''), 400, /empty/);
    });

    it('answers 415 for a body that is not JSON, without repeating its Content-Type', async () => {
      await expectError(
        await post('/in/users', JSON.stringify(VALID), 'text/plain'),
        415,
        'Content-Type must be application/json (or a +json type), in UTF-8',
      );
      await expectError(
        await post('/in/users', 'name=Ada&age=36', 'application/x-www-form-urlencoded'),
        415,
        /^Content-Type must be application\/json/,
      );
      await expectError(
        await post('/in/users', JSON.stringify(VALID), 'application/json; charset=utf-16'),
        415,
        /in UTF-8$/,
      );
    });

    it('accepts application/json with a UTF-8 charset and +json types', async () => {
      for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json']) {
        const response = await post('/in/users', VALID, type);
        expect(response.status, type).to.equal(201);
        await response.body?.cancel();
      }
    });

    it('decodes the body as UTF-8', async () => {
      const response = await post('/in/users', { name: 'Ada Lovelace ✓ 日本', age: 36 });
      expect(((await response.json()) as { body: CreateUser }).body.name).to.equal('Ada Lovelace ✓ 日本');
    });

    it('does not let __proto__ in a body reach any prototype', async () => {
      const response = await post('/in/users', '{"name":"Ada","age":36,"__proto__":{"polluted":true}}');
      const answer = (await response.json()) as { body: Record<string, unknown>; isInstance: boolean };
      expect(response.status).to.equal(201);
      expect(answer.isInstance).to.equal(true);
      expect(answer.body).to.deep.equal(VALID);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });

  describe('unknown properties', () => {
    const extra = { ...VALID, admin: true, address: { city: 'London', country: 'GB', zip: 'N1' } };

    it('are stripped by default, nested ones included', async () => {
      const response = await post('/in/users', extra);
      expect(response.status).to.equal(201);
      expect(((await response.json()) as { body: unknown }).body).to.deep.equal({
        ...VALID,
        address: { city: 'London', country: 'GB' },
      });
    });

    it("are rejected with 400 by the route option unknownProperties: 'reject'", async () => {
      const answer = await expectError(
        await post('/in/strict', extra),
        400,
        'Invalid request body: (undeclared), address',
      );
      // The client's own property names are not repeated: one entry stands for them.
      const undeclared = { whitelistValidation: 'properties the class does not declare are not allowed' };
      expect(answer.details).to.deep.include({ property: '(undeclared)', constraints: undeclared });
      expect(answer.details).to.deep.include({
        property: 'address',
        constraints: {},
        children: [{ property: '(undeclared)', constraints: undeclared }],
      });
      expect((await post('/in/strict', VALID)).status).to.equal(200);
    });

    describe("with the app option unknownProperties: 'reject'", () => {
      const startStrict = appStarter();
      const options: HttpPoolOptions = { controllers: [InputController], unknownProperties: 'reject' };

      it('are rejected in bodies and queries', async () => {
        const { url: strictUrl } = await startStrict(options);
        const body = await fetch(`${strictUrl}/in/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...VALID, admin: true }),
        });
        await expectError(body, 400, 'Invalid request body: (undeclared)');
        const query = await fetch(`${strictUrl}/in/page?page=2&utm_source=mail`);
        const answer = await expectError(query, 400, 'Invalid query string: (undeclared)');
        expect(answer.details?.[0]?.constraints).to.have.property('whitelistValidation');
      });

      it("are still stripped on a route that says unknownProperties: 'strip'", async () => {
        const { url: strictUrl } = await startStrict(options);
        const response = await fetch(`${strictUrl}/in/lenient`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...VALID, admin: true }),
        });
        expect(response.status).to.equal(200);
        expect(await response.json()).to.deep.equal(VALID);
      });
    });
  });

  describe('query', () => {
    it('converts ?page=2 to the number 2 under @Type(() => Number) and @IsInt()', async () => {
      const response = await fetch(`${url}/in/page?page=2&q=ada`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ query: { page: 2, q: 'ada' }, pageType: 'number' });
    });

    it('converts to the declared type without @Type (implicit conversion)', async () => {
      expect(await (await fetch(`${url}/in/limit?limit=5`)).json()).to.deep.equal({ limit: 5, limitType: 'number' });
    });

    it('keeps a property default when the key is absent', async () => {
      expect(await (await fetch(`${url}/in/page`)).json()).to.deep.equal({ query: { page: 1 }, pageType: 'number' });
    });

    it('answers 400 with details when a value does not convert or fails', async () => {
      const answer = await expectError(await fetch(`${url}/in/page?page=abc`), 400, 'Invalid query string: page');
      expect(answer.details?.[0]?.constraints).to.have.property('isInt', 'page must be an integer number');
      await expectError(await fetch(`${url}/in/page?page=0`), 400, 'Invalid query string: page');
      await expectError(await fetch(`${url}/in/limit`), 400, 'Invalid query string: limit');
    });

    it('strips unknown keys by default', async () => {
      const response = await fetch(`${url}/in/page?page=3&utm_source=mail`);
      expect(await response.json()).to.deep.equal({ query: { page: 3 }, pageType: 'number' });
    });

    it('is checked before the body is read: a bad query answers 400 whatever the body', async () => {
      await expectError(await post('/in/users?page=abc', 'not even json'), 400, 'Invalid query string: page');
    });
  });

  describe('params', () => {
    it('converts a path parameter to the declared type', async () => {
      expect(await (await fetch(`${url}/in/items/42`)).json()).to.deep.equal({ id: 42, idType: 'number' });
    });

    it('answers 400 with details when a path parameter fails', async () => {
      const answer = await expectError(await fetch(`${url}/in/items/0`), 400, 'Invalid path parameters: id');
      expect(answer.details).to.deep.equal([{ property: 'id', constraints: { min: 'id must not be less than 1' } }]);
      await expectError(await fetch(`${url}/in/items/abc`), 400, 'Invalid path parameters: id');
    });
  });
});
