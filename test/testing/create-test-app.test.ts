// createTestApp: controllers with overridden providers, resolved and served.

import { expect } from 'chai';
import { injectable } from 'tsyringe';
import { Controller, Get, type HttpRequest, type HttpResponse } from '../../src/index';
import { createTestApp } from '../../src/testing/index';
import type { HttpPoolApp } from '../../src/app';

@injectable()
class UserStore {
  find(id: string): { id: string; name: string } {
    return { id, name: 'from the database' };
  }
}

@Controller('/users')
class UserController {
  constructor(readonly store: UserStore) {}

  @Get('/:id')
  find(_res: HttpResponse, req: HttpRequest) {
    return this.store.find(req.params.id as string);
  }
}

class StubStore extends UserStore {
  override find(id: string) {
    return { id, name: 'stub' };
  }
}

describe('createTestApp', () => {
  const apps: HttpPoolApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  const build = async (options: Parameters<typeof createTestApp>[0]) => {
    const app = await createTestApp(options);
    apps.push(app);
    return app;
  };

  it('gives controllers the provider a test registers with useValue, and resolves both', async () => {
    const fake = { find: (id: string) => ({ id, name: 'Ada' }) };
    const app = await build({ controllers: [UserController], providers: [{ provide: UserStore, useValue: fake }] });
    expect(app.get(UserStore)).to.equal(fake);
    expect(app.get(UserController).store).to.equal(fake);
    const res = await app.inject('/users/1');
    expect(res.json()).to.deep.equal({ id: '1', name: 'Ada' });
  });

  it('takes useClass and useFactory providers', async () => {
    const byClass = await build({
      controllers: [UserController],
      providers: [{ provide: UserStore, useClass: StubStore }],
    });
    expect((await byClass.inject('/users/2')).json()).to.deep.equal({ id: '2', name: 'stub' });
    const byFactory = await build({
      controllers: [UserController],
      providers: [{ provide: UserStore, useFactory: () => new StubStore() }],
    });
    expect(byFactory.get(UserStore)).to.be.instanceOf(StubStore);
  });

  it('without overrides, serves the real services, with logging off', async () => {
    const app = await build({ controllers: [UserController] });
    expect((await app.inject('/users/3')).json()).to.deep.equal({ id: '3', name: 'from the database' });
    expect(app.logger.isLevelEnabled('error')).to.equal(false);
  });

  it('refuses a provider without useValue, useClass or useFactory', async () => {
    let error: unknown;
    try {
      await build({ controllers: [UserController], providers: [{ provide: UserStore } as never] });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.match(/useValue \| useClass \| useFactory/);
  });
});
