// The openapi option: an OpenAPI 3.1 document built from the routes, their
// params, queries and bodies (class-validator-jsonschema for the classes),
// valid by an OpenAPI schema validator, served outside the pool; and the
// Swagger UI page with its assets from swagger-ui-dist (no CDN).

import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import {
  Controller,
  Delete,
  Get,
  HttpPoolApp,
  Post,
  Route,
  RouteDefinitionError,
  UseGuards,
  type HttpRequest,
} from '../../src/index';
import { deferred, type Deferred } from '../helpers/deferred';
import { appStarter } from '../helpers/start-app';
import { rejectionOf, waitFor } from '../helpers/wait-for';

class OpenApiAddress {
  @IsString() city!: string;
}

class OpenApiCreateUser {
  @IsString() name!: string;
  @IsOptional() @IsInt() @Min(0) age?: number;
  @IsOptional() @ValidateNested() @Type(() => OpenApiAddress) address?: OpenApiAddress;
}

class OpenApiPage {
  @IsInt() @Min(1) page: number = 1;
  @IsOptional() @IsInt() @Max(100) size?: number;
}

class OpenApiUserId {
  @IsInt() id!: number;
}

let hold: Deferred<void> = deferred();

@Controller('/api')
class UsersController {
  @Get('/users', { query: OpenApiPage })
  list() {
    return [];
  }

  @Get('/users/:id', { params: OpenApiUserId })
  one(_res: unknown, req: HttpRequest) {
    return req.params;
  }

  @Post('/users', { body: OpenApiCreateUser, bodyTypes: ['json', 'form'] })
  create() {
    return {};
  }

  @Delete('/users/:id')
  @UseGuards({ canActivate: () => true })
  remove() {
    return {};
  }

  @Post('/avatar', { body: 'multipart' })
  avatar() {
    return {};
  }

  @Route('/ping')
  ping() {
    return 'pong';
  }

  @Get('/hold')
  async held() {
    await hold.promise;
    return 'held';
  }
}

interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
}

describe('openapi', () => {
  const startApp = appStarter({ beforeClose: () => hold.resolve() });
  beforeEach(() => {
    hold = deferred();
  });

  const start = () =>
    startApp({
      controllers: [UsersController],
      openapi: { ui: true, info: { title: 'Users <API>', version: '2.1.0' } },
      workers: 1,
      queueSize: 1,
    });

  it('serves an OpenAPI 3.1 document that the OpenAPI schema validator accepts', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/openapi.json`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    const doc = (await res.json()) as Doc;
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? [], JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.info).to.deep.equal({ title: 'Users <API>', version: '2.1.0' });
  });

  it('lists every route with its methods, parameters, bodies and error answers', async () => {
    const { url } = await start();
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as Doc;
    expect(Object.keys(doc.paths).sort()).to.deep.equal([
      '/api/avatar',
      '/api/hold',
      '/api/ping',
      '/api/users',
      '/api/users/{id}',
    ]);
    expect(Object.keys(doc.paths['/api/users'] ?? {}).sort()).to.deep.equal(['get', 'post']);
    expect(Object.keys(doc.paths['/api/users/{id}'] ?? {}).sort()).to.deep.equal(['delete', 'get']);
    expect(Object.keys(doc.paths['/api/ping'] ?? {}).sort(), 'any method').to.deep.equal([
      'delete',
      'get',
      'patch',
      'post',
      'put',
    ]);

    const list = doc.paths['/api/users']?.['get'] as { parameters: unknown[]; responses: Record<string, unknown> };
    expect(list.parameters).to.deep.equal([
      { name: 'page', in: 'query', required: true, schema: { type: 'integer', minimum: 1 } },
      { name: 'size', in: 'query', required: false, schema: { type: 'integer', maximum: 100 } },
    ]);
    expect(Object.keys(list.responses).sort()).to.deep.equal(['200', '400', '503']);

    const one = doc.paths['/api/users/{id}']?.['get'] as { parameters: unknown[] };
    expect(one.parameters).to.deep.equal([{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }]);
    const remove = doc.paths['/api/users/{id}']?.['delete'] as {
      parameters: unknown[];
      responses: Record<string, unknown>;
    };
    expect(remove.parameters).to.deep.equal([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(remove.responses).to.have.property('403');

    const create = doc.paths['/api/users']?.['post'] as { requestBody: { content: Record<string, unknown> } };
    expect(create.requestBody.content).to.deep.equal({
      'application/json': { schema: { $ref: '#/components/schemas/OpenApiCreateUser' } },
      'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/OpenApiCreateUser' } },
    });
    expect(doc.components.schemas['OpenApiCreateUser']?.required).to.deep.equal(['name']);
    expect(doc.components.schemas['OpenApiCreateUser']?.properties?.['address']).to.deep.equal({
      $ref: '#/components/schemas/OpenApiAddress',
    });
    expect(doc.components.schemas, 'nested classes come along').to.have.property('OpenApiAddress');
    const avatar = doc.paths['/api/avatar']?.['post'] as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(avatar.requestBody.content)).to.deep.equal(['multipart/form-data']);
  });

  it('describes a declared class from its own constructor, not another class of the same name', async () => {
    // Another module's class that happens to share the name.
    const Other = (() => {
      class OpenApiCreateUser {
        @IsString() somethingElse!: string;
      }
      return OpenApiCreateUser;
    })();
    expect(Other.name).to.equal('OpenApiCreateUser');
    const { url } = await start();
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as Doc;
    expect(Object.keys(doc.components.schemas['OpenApiCreateUser']?.properties ?? {})).to.deep.equal([
      'name',
      'age',
      'address',
    ]);
  });

  it('answers outside the pool (with the only worker busy and the queue full), with an ETag', async () => {
    const { url, app } = await start();
    const running = fetch(`${url}/api/hold`);
    await waitFor(() => app.pool.stats().busy === 1, 'the only worker busy');
    const queued = fetch(`${url}/api/hold`);
    await waitFor(() => app.pool.stats().queued === 1, 'the queue full');
    const res = await fetch(`${url}/openapi.json`);
    expect(res.status).to.equal(200);
    const etag = res.headers.get('etag') as string;
    expect(etag).to.match(/^"[\w-]+"$/);
    expect((await fetch(`${url}/openapi.json`, { headers: { 'if-none-match': etag } })).status).to.equal(304);
    hold.resolve();
    await Promise.all([running, queued]);
  });

  it('serves the Swagger UI page and its assets from swagger-ui-dist, escaping the title', async () => {
    const { url } = await start();
    const page = await fetch(`${url}/docs`);
    expect(page.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).to.contain('<title>Users &#60;API&#62;</title>');
    expect(html).to.contain('url: "/openapi.json"');
    expect(html).not.to.match(/https?:\/\//);
    for (const asset of ['/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css']) {
      const res = await fetch(url + asset);
      expect(res.status, asset).to.equal(200);
      expect(res.headers.get('etag'), asset).to.be.a('string');
      expect((await res.arrayBuffer()).byteLength, asset).to.be.greaterThan(1000);
    }
  });

  it('serves the document and the UI page through inject()', async () => {
    const app = await HttpPoolApp.bootstrap({ controllers: [UsersController], openapi: { ui: true }, logger: false });
    try {
      const doc = (await app.inject({ url: '/openapi.json' })).json() as Doc;
      expect(doc.openapi).to.equal('3.1.0');
      expect(Object.keys(doc.paths)).to.include('/api/users/{id}');
      expect((await app.inject({ url: '/docs' })).body).to.contain('SwaggerUIBundle');
    } finally {
      await app.close();
    }
  });

  it('is refused at bootstrap where a route would be hidden, or an option is wrong', async () => {
    const refused = (await rejectionOf(
      HttpPoolApp.bootstrap({
        controllers: [UsersController],
        openapi: { path: '/api/users' },
        logger: false,
      }),
    )) as Error;
    expect(refused).to.be.instanceOf(RouteDefinitionError);
    expect(refused.message).to.match(/is at the path of the OpenAPI document/);
    for (const [value, message] of [
      [{ paht: '/x' }, /Unknown option "openapi.paht"/],
      [{ path: 'openapi.json' }, /"openapi.path" must be a path/],
      [{ ui: { path: '/openapi.json' } }, /must differ/],
      [{ info: { title: 5 } }, /"openapi.info.title" must be a string/],
    ] as const) {
      expect(
        ((await rejectionOf(HttpPoolApp.bootstrap({ openapi: value as never, logger: false }))) as Error).message,
        JSON.stringify(value),
      ).to.match(message);
    }
  });
});
