// `controllers` folders load controller modules only: test and spec files
// next to them are never required, and { dir, include, exclude } picks files.

import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HttpPoolApp, RouteDefinitionError } from '../../src/index';
import { resolveOptions, type HttpPoolOptions } from '../../src/options';
import { appStarter } from '../helpers/start-app';
import { rejectionOf } from '../helpers/wait-for';

/** The built index the fixture modules load: the same module instance as the tests'. */
const INDEX = require.resolve('../../src/index');

/** A plain-JS controller module: `GET <prefix>/ping` answers `{ from: name }`. */
function controllerModule(name: string, prefix: string): string {
  return `const { Controller, Get } = require(${JSON.stringify(INDEX)});
class ${name} { ping() { return { from: '${name}' }; } }
Get('/ping')(${name}.prototype, 'ping', Object.getOwnPropertyDescriptor(${name}.prototype, 'ping'));
Controller('${prefix}')(${name});
module.exports = { ${name} };
`;
}

/** A module that must never be loaded: requiring it throws. */
const POISON = "throw new Error('this module must not be loaded');\n";

describe('controllers folders', () => {
  const startApp = appStarter();
  let root: string;

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'httppool-controllers-'));
    mkdirSync(path.join(root, 'users'));
    mkdirSync(path.join(root, 'admin'));
    writeFileSync(path.join(root, 'users', 'users.controller.js'), controllerModule('UsersController', '/users'));
    writeFileSync(path.join(root, 'admin', 'admin.controller.js'), controllerModule('AdminController', '/admin'));
    // Next to them: what a project keeps beside its controllers.
    writeFileSync(path.join(root, 'users', 'users.controller.test.js'), POISON);
    writeFileSync(path.join(root, 'users', 'users.controller.spec.js'), POISON);
    writeFileSync(path.join(root, 'users', 'e2e.spec.mjs'), POISON);
    writeFileSync(path.join(root, 'users', 'users.controller.js.map'), '{"version":3}');
    writeFileSync(path.join(root, 'users', 'users.controller.d.ts'), 'export {};\n');
    writeFileSync(path.join(root, 'helper.js'), 'module.exports = { answer: 42 };\n');
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  async function served(url: string, prefix: string): Promise<unknown> {
    const response = await fetch(`${url}${prefix}/ping`);
    return response.status === 200 ? response.json() : response.status;
  }

  it('skips *.test.*, *.spec.*, .d.ts and .map files next to the controllers', async () => {
    const { url } = await startApp({ controllers: root });
    expect(await served(url, '/users')).to.deep.equal({ from: 'UsersController' });
    expect(await served(url, '/admin')).to.deep.equal({ from: 'AdminController' });
  });

  it('takes { dir } as a folder, alone or in a list', async () => {
    const { url } = await startApp({ controllers: { dir: root } });
    expect(await served(url, '/users')).to.deep.equal({ from: 'UsersController' });
    const listed = await startApp({ controllers: [{ dir: path.join(root, 'admin') }] });
    expect(await served(listed.url, '/admin')).to.deep.equal({ from: 'AdminController' });
    expect(await served(listed.url, '/users')).to.equal(404);
  });

  it('include: loads only the files it matches, by their path relative to dir', async () => {
    const { url } = await startApp({ controllers: { dir: root, include: /^users\// } });
    expect(await served(url, '/users')).to.deep.equal({ from: 'UsersController' });
    expect(await served(url, '/admin')).to.equal(404);
  });

  it('include never brings back a test file, even when it matches', async () => {
    const { url } = await startApp({ controllers: { dir: root, include: [/\.controller\./] } });
    expect(await served(url, '/users')).to.deep.equal({ from: 'UsersController' });
  });

  it('exclude: skips the files a function (or a RegExp) matches, besides the built-in ones', async () => {
    const seen: string[] = [];
    const exclude = (file: string): boolean => {
      seen.push(file);
      return file.startsWith('admin/');
    };
    const { url } = await startApp({ controllers: { dir: root, exclude } });
    expect(await served(url, '/users')).to.deep.equal({ from: 'UsersController' });
    expect(await served(url, '/admin')).to.equal(404);
    expect(seen).to.include('users/users.controller.js');
    expect(seen.some((file) => file.includes('.test.') || file.includes('.spec.'))).to.equal(false);

    const byRegExp = await startApp({ controllers: { dir: root, exclude: /^admin\//g } });
    expect(await served(byRegExp.url, '/admin')).to.equal(404);
    expect(await served(byRegExp.url, '/users')).to.deep.equal({ from: 'UsersController' });
  });

  it('a filter that leaves no controller is a RouteDefinitionError naming the folder', async () => {
    const error = await rejectionOf(
      HttpPoolApp.bootstrap({ logger: false, controllers: { dir: root, include: /nothing-matches/ } }),
    );
    expect(error).to.be.instanceOf(RouteDefinitionError);
    expect((error as Error).message)
      .to.include(root)
      .and.include('include/exclude');
  });

  describe('bad values: a TypeError naming the option', () => {
    const loose = (controllers: unknown): HttpPoolOptions => ({ controllers }) as HttpPoolOptions;
    const cases: [string, unknown, RegExp][] = [
      ['a number', 5, /Option "controllers" must be/],
      ['null', null, /Option "controllers" must be/],
      ['a list holding a number', [1], /Option "controllers" must hold/],
      ['a folder without dir', { include: /x/ }, /Option "controllers\.dir" must be a folder path, got undefined/],
      ['an empty dir', { dir: '' }, /Option "controllers\.dir"/],
      ['an unknown key', { dir: '.', filter: /x/ }, /Unknown option "controllers\.filter"/],
      ['a string include', { dir: '.', include: '*.js' }, /Option "controllers\.include" must be a RegExp/],
      ['a bad exclude in a list', ['.', { dir: '.', exclude: [/x/, 3] }], /Option "controllers\[1\]\.exclude"/],
    ];
    for (const [label, value, message] of cases) {
      it(`rejects ${label}`, () => {
        expect(() => resolveOptions(loose(value))).to.throw(TypeError, message);
      });
    }

    it('keeps the forms that worked before, and the folder objects', () => {
      class Some {}
      expect(resolveOptions({ controllers: './c' }).controllers).to.deep.equal(['./c']);
      expect(resolveOptions({ controllers: [Some, './c'] }).controllers).to.deep.equal([Some, './c']);
      const include = /\.controller\.js$/;
      expect(resolveOptions({ controllers: { dir: './c', include } }).controllers).to.deep.equal([
        { dir: './c', include: [include] },
      ]);
    });
  });
});
