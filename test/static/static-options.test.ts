// The `static` and `staticCache` options: defaults, loud errors naming the
// bad field, and the bootstrap checks (roots exist, no route hidden by a mount).

import { expect } from 'chai';
import path from 'node:path';
import {
  Controller,
  Get,
  HttpPoolApp,
  RouteDefinitionError,
  StaticRootError,
  type HttpPoolOptions,
} from '../../src/index';
import { DEFAULT_OPTIONS, resolveOptions } from '../../src/options';
import { rejectionOf } from '../helpers/wait-for';
import { tempFolders } from './fixtures';

function loose(options: Record<string, unknown>): HttpPoolOptions {
  return options as HttpPoolOptions;
}

@Controller('/public')
class ShadowedController {
  @Get('/upload')
  upload() {
    return 'never reached';
  }
}

@Controller()
class NeighbourController {
  @Get('/publicity')
  publicity() {
    return 'reached';
  }
}

describe('static: options', () => {
  const makeFolder = tempFolders();

  describe('defaults', () => {
    it('has no mounts, and a cache of 256 KiB files, 64 MiB in all, revalidated every 1000 ms', () => {
      const resolved = resolveOptions({});
      expect(resolved.static).to.deep.equal([]);
      expect(resolved.staticCache).to.deep.equal({
        maxFileSize: 256 * 1024,
        maxSize: 64 * 1024 * 1024,
        revalidateMs: 1000,
      });
      expect(DEFAULT_OPTIONS.staticCache).to.deep.equal(resolved.staticCache);
    });

    it('fills in a mount: root made absolute, max-age 0, index.html, dotfiles ignored, no fallback', () => {
      const [mount] = resolveOptions({ static: [{ prefix: '/public', root: 'public' }] }).static;
      expect(mount).to.deep.equal({
        prefix: '/public',
        root: path.resolve('public'),
        maxAge: 0,
        immutable: false,
        index: 'index.html',
        dotfiles: 'ignore',
        fallback: false,
      });
    });

    it('keeps every field given', () => {
      const mount = {
        prefix: '/a/b',
        root: '/srv/x',
        maxAge: 3600,
        immutable: true,
        index: false,
        dotfiles: 'allow',
        fallback: 'app/shell.html',
      } as const;
      expect(resolveOptions({ static: [mount] }).static).to.deep.equal([mount]);
      const cache = { maxFileSize: 0, maxSize: 1, revalidateMs: 0 };
      expect(resolveOptions({ staticCache: cache }).staticCache).to.deep.equal(cache);
    });
  });

  describe('bad options', () => {
    const badStatic: [unknown, RegExp][] = [
      [{ prefix: '/p', root: '.' }, /"static" must be an array/],
      ['/public', /"static" must be an array/],
      [[null], /"static\[0\]" must be an object/],
      [[{ root: '.' }], /"static\[0\]\.prefix"/],
      [
        [{ prefix: '/p', root: '.', fallback: '../x.html' }],
        /"static\[0\]\.fallback" must be a file path inside the root/,
      ],
      [[{ prefix: '/p', root: '.', fallback: '/x.html' }], /"static\[0\]\.fallback"/],
      [[{ prefix: 'public', root: '.' }], /"static\[0\]\.prefix"/],
      [[{ prefix: '/public/', root: '.' }], /"static\[0\]\.prefix"/],
      [[{ prefix: '/a//b', root: '.' }], /"static\[0\]\.prefix"/],
      [[{ prefix: '/a/../b', root: '.' }], /"static\[0\]\.prefix"/],
      [[{ prefix: '/a%2fb', root: '.' }], /"static\[0\]\.prefix"/],
      [[{ prefix: '/a b', root: '.' }], /"static\[0\]\.prefix"/],
      [[{ prefix: '/p' }], /"static\[0\]\.root"/],
      [[{ prefix: '/p', root: '' }], /"static\[0\]\.root"/],
      [[{ prefix: '/p', root: 5 }], /"static\[0\]\.root"/],
      [[{ prefix: '/p', root: '.', maxAge: -1 }], /"static\[0\]\.maxAge".*got -1/],
      [[{ prefix: '/p', root: '.', maxAge: 1.5 }], /"static\[0\]\.maxAge"/],
      [[{ prefix: '/p', root: '.', maxAge: '60' }], /"static\[0\]\.maxAge"/],
      [[{ prefix: '/p', root: '.', immutable: 'yes' }], /"static\[0\]\.immutable"/],
      [[{ prefix: '/p', root: '.', index: 'a/b.html' }], /"static\[0\]\.index"/],
      [[{ prefix: '/p', root: '.', index: true }], /"static\[0\]\.index"/],
      [[{ prefix: '/p', root: '.', dotfiles: 'deny' }], /"static\[0\]\.dotfiles"/],
      [[{ prefix: '/p', root: '.', maxage: 5 }], /"static\[0\]\.maxage"/],
      [
        [
          { prefix: '/p', root: '.' },
          { prefix: '/p', root: '..' },
        ],
        /"static\[1\]\.prefix" repeats static\[0\]/,
      ],
    ];
    for (const [value, message] of badStatic) {
      it(`rejects static ${JSON.stringify(value)} naming the field`, () => {
        expect(() => resolveOptions(loose({ static: value }))).to.throw(message);
      });
    }

    const badCache: [unknown, RegExp][] = [
      [5, /"staticCache" must be an object/],
      [null, /"staticCache" must be an object/],
      [{ maxFileSize: -1 }, /"staticCache\.maxFileSize"/],
      [{ maxSize: 0 }, /"staticCache\.maxSize"/],
      [{ revalidateMs: 0.5 }, /"staticCache\.revalidateMs"/],
      [{ maxFileSize: 2048, maxSize: 1024 }, /"staticCache\.maxFileSize" \(2048\) must not exceed/],
      [{ maxBytes: 1 }, /"staticCache\.maxBytes"/],
    ];
    for (const [value, message] of badCache) {
      it(`rejects staticCache ${JSON.stringify(value)} naming the field`, () => {
        expect(() => resolveOptions(loose({ staticCache: value }))).to.throw(message);
      });
    }

    it('throws TypeError for shapes and RangeError for numbers', () => {
      expect(() => resolveOptions(loose({ static: [{ prefix: 5, root: '.' }] }))).to.throw(TypeError);
      expect(() => resolveOptions(loose({ static: [{ prefix: '/p', root: '.', maxAge: -1 }] }))).to.throw(RangeError);
      expect(() => resolveOptions(loose({ staticCache: { maxSize: 0 } }))).to.throw(RangeError);
    });
  });

  describe('at bootstrap', () => {
    it('throws StaticRootError naming the mount when its root does not exist', async () => {
      const root = path.join(await makeFolder(), 'missing');
      const error = await rejectionOf(HttpPoolApp.bootstrap({ logger: false, static: [{ prefix: '/public', root }] }));
      expect(error).to.be.instanceOf(StaticRootError);
      expect((error as StaticRootError).code).to.equal('HTTPPOOL_STATIC_ROOT');
      expect((error as Error).message)
        .to.include('/public')
        .and.include(root)
        .and.include('does not exist');
    });

    it('throws StaticRootError when the root is a file', async () => {
      const root = path.join(await makeFolder({ 'file.txt': 'x' }), 'file.txt');
      const error = await rejectionOf(HttpPoolApp.bootstrap({ logger: false, static: [{ prefix: '/public', root }] }));
      expect(error).to.be.instanceOf(StaticRootError);
      expect((error as Error).message).to.include('is not a folder');
    });

    it('throws RouteDefinitionError for a route the mount would hide, naming both', async () => {
      const root = await makeFolder();
      const error = await rejectionOf(
        HttpPoolApp.bootstrap({
          logger: false,
          controllers: [ShadowedController],
          static: [{ prefix: '/public', root }],
        }),
      );
      expect(error).to.be.instanceOf(RouteDefinitionError);
      expect((error as Error).message)
        .to.include('/public/upload')
        .and.include('static mount /public');
    });

    it('accepts a route that only shares the prefix as a string', async () => {
      const root = await makeFolder();
      const app = await HttpPoolApp.bootstrap({
        logger: false,
        controllers: [NeighbourController],
        static: [{ prefix: '/public', root }],
      });
      await app.close();
    });
  });
});
