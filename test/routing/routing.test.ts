// Routing over HTTP: prefixes, methods, params, query, and what a miss answers.

import { expect } from 'chai';
import { Controller, Delete, Get, Patch, Post, Put, Route, type HttpRequest, type HttpResponse } from '../../src/index';
import { rawRequest, parseResponse } from '../helpers/raw-http';
import { appStarter } from '../helpers/start-app';

@Controller('/api')
class ItemController {
  @Route('/any')
  any(_res: HttpResponse, req: HttpRequest) {
    return { method: req.method };
  }

  @Get('/items/:id')
  read(_res: HttpResponse, req: HttpRequest) {
    return { op: 'read', id: req.params.id };
  }

  @Post('/items')
  create(res: HttpResponse) {
    res.statusCode = 201;
    return { op: 'create' };
  }

  @Put('/items/:id')
  replace(_res: HttpResponse, req: HttpRequest) {
    return { op: 'replace', id: req.params.id };
  }

  @Patch('/items/:id')
  update(_res: HttpResponse, req: HttpRequest) {
    return { op: 'update', id: req.params.id };
  }

  @Delete('/items/:id')
  remove(_res: HttpResponse, req: HttpRequest) {
    return { op: 'remove', id: req.params.id };
  }

  @Get('/owners/:owner/items/:item')
  nested(_res: HttpResponse, req: HttpRequest) {
    return { params: req.params };
  }

  @Get('/search')
  search(_res: HttpResponse, req: HttpRequest) {
    return { query: req.query };
  }

  @Get('/text')
  text(res: HttpResponse) {
    res.setHeader('content-type', 'text/plain');
    res.end('hello, world');
  }
}

@Controller('/todos')
class TodoController {
  @Get('/')
  list() {
    return { todos: [] };
  }
}

@Controller()
class RootController {
  @Get('/')
  home() {
    return { home: true };
  }
}

async function json(response: Response): Promise<unknown> {
  expect(response.headers.get('content-type')).to.match(/^application\/json/);
  return response.json();
}

describe('routing over HTTP', () => {
  const startApp = appStarter({ scope: 'all' });
  let url: string;
  let port: number;

  before(async () => {
    ({ url, port } = await startApp({ controllers: [ItemController, TodoController, RootController] }));
  });

  describe('@Controller prefix and @Route', () => {
    it('serves a route under its controller prefix', async () => {
      const response = await fetch(`${url}/api/any`);
      expect(response.status).to.equal(200);
      expect(await json(response)).to.deep.equal({ method: 'GET' });
    });

    it('does not serve a prefixed route without its prefix', async () => {
      const response = await fetch(`${url}/any`);
      expect(response.status).to.equal(404);
    });

    it("serves @Get('/') under @Controller('/todos') at /todos, as NestJS and express do", async () => {
      const response = await fetch(`${url}/todos`);
      expect(response.status).to.equal(200);
      expect(await json(response)).to.deep.equal({ todos: [] });
    });

    it('serves @Controller() with no prefix at the root', async () => {
      const response = await fetch(`${url}/`);
      expect(response.status).to.equal(200);
      expect(await json(response)).to.deep.equal({ home: true });
    });

    it('@Route with no method answers GET and POST (and other methods)', async () => {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
        const response = await fetch(`${url}/api/any`, { method });
        expect(response.status, method).to.equal(200);
        expect(await json(response)).to.deep.equal({ method });
      }
    });
  });

  describe('method decorators', () => {
    it('@Get, @Put, @Patch and @Delete on one path each reach their own method', async () => {
      const expected: Record<string, string> = { GET: 'read', PUT: 'replace', PATCH: 'update', DELETE: 'remove' };
      for (const [method, op] of Object.entries(expected)) {
        const response = await fetch(`${url}/api/items/7`, { method });
        expect(response.status, method).to.equal(200);
        expect(await json(response)).to.deep.equal({ op, id: '7' });
      }
    });

    it('@Post answers POST with the status the handler set', async () => {
      const response = await fetch(`${url}/api/items`, { method: 'POST' });
      expect(response.status).to.equal(201);
      expect(await json(response)).to.deep.equal({ op: 'create' });
    });
  });

  describe('req.params and req.query', () => {
    it('puts path parameters in req.params, decoded', async () => {
      const response = await fetch(`${url}/api/owners/ann%20lee/items/42`);
      expect(await json(response)).to.deep.equal({ params: { owner: 'ann lee', item: '42' } });
    });

    it('puts the query in req.query, with repeated keys as arrays', async () => {
      const response = await fetch(`${url}/api/search?q=cats&tag=a&tag=b&empty=`);
      expect(await json(response)).to.deep.equal({ query: { q: 'cats', tag: ['a', 'b'], empty: '' } });
    });

    it('gives an empty req.query when there is no query string', async () => {
      const response = await fetch(`${url}/api/search`);
      expect(await json(response)).to.deep.equal({ query: {} });
    });
  });

  describe('misses', () => {
    it('answers an unknown path with 404 in the error JSON shape', async () => {
      const response = await fetch(`${url}/nope/nothing`);
      expect(response.status).to.equal(404);
      const body = (await json(response)) as { message: unknown };
      expect(body).to.deep.equal({ statusCode: 404, error: 'Not Found', message: body.message });
      // The path is the client's text: the message names the method only.
      expect(body.message).to.equal('No route for GET on this path');
    });

    it('answers a known path with the wrong method with 405 and Allow listing its methods, HEAD included', async () => {
      const response = await fetch(`${url}/api/items/7`, { method: 'POST' });
      expect(response.status).to.equal(405);
      const allow = (response.headers.get('allow') ?? '').split(',').map((method) => method.trim());
      expect(allow).to.have.members(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);
      const body = (await json(response)) as { message: unknown };
      expect(body).to.deep.equal({ statusCode: 405, error: 'Method Not Allowed', message: body.message });
      expect(body.message).to.be.a('string').and.include('POST');
    });

    it('answers OPTIONS on a known path with 204 and Allow listing its methods, OPTIONS included', async () => {
      const response = await fetch(`${url}/api/items/7`, { method: 'OPTIONS' });
      expect(response.status).to.equal(204);
      const allow = (response.headers.get('allow') ?? '').split(',').map((method) => method.trim());
      expect(allow).to.have.members(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
      expect(await response.text()).to.equal('');
    });

    it('answers OPTIONS on an unknown path with 404', async () => {
      const response = await fetch(`${url}/nope`, { method: 'OPTIONS' });
      expect(response.status).to.equal(404);
      await response.body?.cancel();
    });

    it('leaves OPTIONS to a route that declares it (an any-method @Route)', async () => {
      const response = await fetch(`${url}/api/any`, { method: 'OPTIONS' });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ method: 'OPTIONS' });
    });

    it('answers CONNECT (a tunnel request) with 405 and the methods the app serves, then closes (raw socket)', async () => {
      // Node closes a CONNECT connection without a word when nobody listens for it.
      const text = await rawRequest(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      const response = parseResponse(text);
      expect(response.statusCode).to.equal(405);
      expect(response.headers['connection']).to.equal('close');
      expect(response.headers['x-request-id']).to.match(/^[0-9a-z]{6}-[0-9a-z]{1,5}$/);
      // @Route('/any') answers every method node knows, so they are all listed.
      expect(response.headers['allow']?.split(', ')).to.include.members([
        'GET',
        'HEAD',
        'POST',
        'PUT',
        'PATCH',
        'DELETE',
      ]);
      expect(response.headers['allow']).not.to.include('CONNECT');
      expect(response.headers['content-length']).to.equal(String(Buffer.byteLength(response.body)));
      const body = JSON.parse(response.body) as { message: unknown };
      expect(body).to.deep.equal({ statusCode: 405, error: 'Method Not Allowed', message: body.message });
      expect(body.message).to.include('CONNECT');
      // The server keeps serving.
      expect((await fetch(`${url}/`)).status).to.equal(200);
    });

    it('answers a POST-only path with 405 when asked with GET', async () => {
      const response = await fetch(`${url}/api/items`);
      expect(response.status).to.equal(405);
      expect(response.headers.get('allow')).to.equal('POST');
      await response.body?.cancel();
    });
  });

  describe('HEAD', () => {
    it('answers HEAD on a GET route with its headers', async () => {
      const response = await fetch(`${url}/api/items/7`, { method: 'HEAD' });
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.match(/^application\/json/);
      expect(Number(response.headers.get('content-length'))).to.equal(
        Buffer.byteLength(JSON.stringify({ op: 'read', id: '7' })),
      );
    });

    it('sends no body bytes for HEAD on a GET route', async () => {
      const text = await rawRequest(port, 'HEAD /api/text HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      const response = parseResponse(text);
      expect(response.statusCode).to.equal(200);
      expect(response.headers['content-type']).to.equal('text/plain');
      expect(response.body).to.equal('');
    });
  });

  describe('malformed URLs', () => {
    it('answers bad percent-encoding in a path parameter with 400, not 500 (raw socket)', async () => {
      const text = await rawRequest(
        port,
        'GET /api/items/%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      );
      const response = parseResponse(text);
      expect(response.statusCode).to.equal(400);
      const body = JSON.parse(response.body) as { message: unknown };
      expect(body).to.deep.equal({ statusCode: 400, error: 'Bad Request', message: body.message });
    });

    it('answers bad percent-encoding with 400 through fetch, and keeps serving', async () => {
      const bad = await fetch(`${url}/api/items/%E0%A4%A`);
      expect(bad.status).to.equal(400);
      expect(await json(bad)).to.include({ statusCode: 400, error: 'Bad Request' });

      const good = await fetch(`${url}/api/items/8`);
      expect(good.status).to.equal(200);
      expect(await json(good)).to.deep.equal({ op: 'read', id: '8' });
    });

    it('answers bad percent-encoding on a path matched only by another method with 400, not 405', async () => {
      const response = await fetch(`${url}/api/items/%E0%A4%A`, { method: 'POST' });
      expect(response.status).to.equal(400);
      await response.body?.cancel();
    });
  });
});
