// Bootstrap: declaration mistakes fail fast with named errors, and controller
// folders are loaded and served.

import { expect } from 'chai';
import path from 'node:path';
import {
  Controller,
  ControllerLoadError,
  DuplicateRouteError,
  Get,
  HttpPoolApp,
  Route,
  RouteDefinitionError,
} from '../src/index';
import { appStarter } from './helpers/start-app';
import { rejectionOf } from './helpers/wait-for';

const FIXTURES = path.join(__dirname, 'fixtures/controllers');

@Controller('/dup')
class FirstOwner {
  @Get('/x')
  first() {
    return 1;
  }
}

@Controller('/dup')
class SecondOwner {
  @Get('/x')
  second() {
    return 2;
  }
}

@Controller('/dup-any')
class AnyMethodOwner {
  @Route('/y')
  anything() {
    return 1;
  }

  @Get('/y')
  onlyGet() {
    return 2;
  }
}

class UndecoratedController {
  @Get('/lost')
  lost() {
    return 1;
  }
}

@Controller('/empty')
class EmptyController {}

@Controller('/relative')
class RelativePathController {
  @Get('no-slash')
  relative() {
    return 1;
  }
}

@Controller('api')
class RelativePrefixController {
  @Get('/x')
  x() {
    return 1;
  }
}

async function bootstrapError(options: Parameters<typeof HttpPoolApp.bootstrap>[0]): Promise<Error> {
  const error = await rejectionOf(HttpPoolApp.bootstrap({ logger: false, ...options }));
  expect(error).to.be.instanceOf(Error);
  return error as Error;
}

describe('HttpPoolApp.bootstrap()', () => {
  describe('declaration mistakes', () => {
    it('throws DuplicateRouteError naming both Class.method and the path', async () => {
      const error = await bootstrapError({ controllers: [FirstOwner, SecondOwner] });
      expect(error).to.be.instanceOf(DuplicateRouteError);
      expect(error.message).to.include('FirstOwner.first').and.include('SecondOwner.second').and.include('/dup/x');
    });

    it('throws DuplicateRouteError for a @Get that an any-method @Route on the same path already claims', async () => {
      const error = await bootstrapError({ controllers: [AnyMethodOwner] });
      expect(error).to.be.instanceOf(DuplicateRouteError);
      expect(error.message).to.include('AnyMethodOwner.anything').and.include('AnyMethodOwner.onlyGet');
    });

    it('throws RouteDefinitionError for a class with @Route methods but no @Controller, naming it', async () => {
      const error = await bootstrapError({ controllers: [UndecoratedController] });
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect(error.message).to.include('UndecoratedController').and.include('@Controller');
    });

    it('throws RouteDefinitionError for a @Controller with no routes, naming it', async () => {
      const error = await bootstrapError({ controllers: [EmptyController] });
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect(error.message).to.include('EmptyController');
    });

    it("throws RouteDefinitionError for a route path not starting with '/'", async () => {
      const error = await bootstrapError({ controllers: [RelativePathController] });
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect(error.message).to.include('RelativePathController.relative').and.include('no-slash');
    });

    it("throws RouteDefinitionError for a controller prefix not starting with '/'", async () => {
      const error = await bootstrapError({ controllers: [RelativePrefixController] });
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect(error.message).to.include('RelativePrefixController').and.include('api');
    });
  });

  describe('controllers given as a folder', () => {
    const startApp = appStarter();

    it('loads the folder’s controller modules, subfolders included, and serves their routes', async () => {
      const { url } = await startApp({ controllers: FIXTURES });

      const hello = await fetch(`${url}/hello/ann`);
      expect(hello.status).to.equal(200);
      expect(await hello.json()).to.deep.equal({ hello: 'ann' });

      const echo = await fetch(`${url}/echo`, { method: 'POST', body: 'ping' });
      expect(echo.status).to.equal(200);
      expect(await echo.json()).to.deep.equal({ echo: 'ping' });
    });

    it('mixes a folder with classes in one list', async () => {
      const { url } = await startApp({ controllers: [FIXTURES, FirstOwner] });
      expect(await (await fetch(`${url}/hello/bo`)).json()).to.deep.equal({ hello: 'bo' });
      expect(await (await fetch(`${url}/dup/x`)).json()).to.equal(1);
    });

    it('throws ControllerLoadError for a folder that does not exist', async () => {
      const missing = path.join(FIXTURES, 'does-not-exist');
      const error = await bootstrapError({ controllers: missing });
      expect(error).to.be.instanceOf(ControllerLoadError);
      expect(error.message).to.include(missing);
    });
  });
});
