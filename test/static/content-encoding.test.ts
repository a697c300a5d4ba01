// Which files get compressed variants, and which variant Accept-Encoding picks.

import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { chooseEncoding, compressVariants, isCompressible } from '../../src/static/content-encoding';

describe('static: content encoding', () => {
  describe('chooseEncoding()', () => {
    const cases: [string | undefined, 'br' | 'gzip' | undefined][] = [
      [undefined, undefined],
      ['', undefined],
      ['identity', undefined],
      ['gzip', 'gzip'],
      ['x-gzip', 'gzip'],
      ['br', 'br'],
      ['gzip, deflate, br, zstd', 'br'],
      ['br;q=0.5, gzip', 'gzip'],
      ['br;q=1.0, gzip;q=0.9', 'br'],
      ['BR', 'br'],
      ['*', 'br'],
      ['gzip;q=0.4, *;q=0.5', 'br'],
      ['br;q=0, gzip;q=0', undefined],
      ['*;q=0', undefined],
      ['br;q=0, *', 'gzip'],
      ['br;q=abc, gzip', 'gzip'],
      ['deflate', undefined],
    ];
    for (const [header, expected] of cases) {
      it(`${JSON.stringify(header)} → ${expected ?? 'identity'}`, () => {
        expect(chooseEncoding(header, true, true)).to.equal(expected);
      });
    }

    it('picks only among the variants that exist', () => {
      expect(chooseEncoding('br, gzip', false, true)).to.equal('gzip');
      expect(chooseEncoding('br', false, true)).to.equal(undefined);
      expect(chooseEncoding('gzip', true, false)).to.equal(undefined);
    });
  });

  describe('isCompressible()', () => {
    for (const type of [
      'text/css; charset=utf-8',
      'text/html',
      'text/javascript; charset=utf-8',
      'application/json; charset=utf-8',
      'image/svg+xml',
      'application/ld+json',
      'application/wasm',
    ]) {
      it(`compresses ${type}`, () => expect(isCompressible(type)).to.equal(true));
    }
    for (const type of [
      'image/png',
      'image/jpeg',
      'font/woff2',
      'application/zip',
      'application/octet-stream',
      'video/mp4',
    ]) {
      it(`leaves ${type} as is`, () => expect(isCompressible(type)).to.equal(false));
    }
  });

  describe('compressVariants()', () => {
    it('makes brotli and gzip variants that decompress to the body', async () => {
      const body = Buffer.from('.a { color: red; }\n'.repeat(200));
      const { br, gzip } = await compressVariants(body);
      expect(br).to.be.instanceOf(Buffer);
      expect(gzip).to.be.instanceOf(Buffer);
      expect(brotliDecompressSync(br as Buffer).equals(body)).to.equal(true);
      expect(gunzipSync(gzip as Buffer).equals(body)).to.equal(true);
      expect((br as Buffer).length).to.be.below(body.length / 10);
    });

    it('keeps no variant that is not smaller than the body', async () => {
      // Random bytes do not compress: both codecs' output is a little larger.
      expect(await compressVariants(randomBytes(4096))).to.deep.equal({});
    });
  });
});
