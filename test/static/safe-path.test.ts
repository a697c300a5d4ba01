// Safe-path rules, case by case: what may name a file under a mount's root.

import { expect } from 'chai';
import {
  decodeUrlPath,
  isInsideRoot,
  isSafeRelativePath,
  MALFORMED_PATH,
  UNSAFE_PATH,
} from '../../src/static/safe-path';

describe('static: safe paths', () => {
  describe('decodeUrlPath()', () => {
    it('returns a path without escapes as is', () => {
      expect(decodeUrlPath('/public/site.css')).to.equal('/public/site.css');
    });

    it('decodes escapes, dots included (the segment check then refuses them)', () => {
      expect(decodeUrlPath('/public/a%20b.css')).to.equal('/public/a b.css');
      expect(decodeUrlPath('/public/%2e%2e/x')).to.equal('/public/../x');
      expect(decodeUrlPath('/public/%C3%A9t%C3%A9.txt')).to.equal('/public/été.txt');
    });

    for (const raw of ['/public/..%2fsecret', '/public/..%2Fsecret', '/public/..%5csecret', '/public/a%00.css']) {
      it(`refuses the encoded separator or NUL in ${raw} as unsafe`, () => {
        expect(decodeUrlPath(raw)).to.equal(UNSAFE_PATH);
      });
    }

    for (const raw of ['/public/%', '/public/%zz', '/public/%E0%A4%A', '/public/%c0%ae%c0%ae']) {
      it(`answers bad percent-encoding ${raw} as malformed`, () => {
        expect(decodeUrlPath(raw)).to.equal(MALFORMED_PATH);
      });
    }
  });

  describe('isSafeRelativePath()', () => {
    const safe = ['', '/', '/site.css', '/css/site.css', '/css/', '/a..b.css', '/x.', '/%2e%2e'];
    for (const relative of safe) {
      it(`accepts ${JSON.stringify(relative)}`, () => {
        expect(isSafeRelativePath(relative, false)).to.equal(true);
      });
    }

    const unsafe = [
      '/..',
      '/../secret',
      '/css/../../secret',
      '/./site.css',
      '/css/.',
      '//etc/passwd',
      '/css//site.css',
      '/..\\secret',
      '/a\\b',
      '/a\0.css',
      'site.css',
      '/.env',
      '/.git/config',
      '/css/.hidden/site.css',
    ];
    for (const relative of unsafe) {
      it(`refuses ${JSON.stringify(relative)}`, () => {
        expect(isSafeRelativePath(relative, false)).to.equal(false);
      });
    }

    it('accepts dotfiles when they are allowed, but never . or ..', () => {
      expect(isSafeRelativePath('/.well-known/security.txt', true)).to.equal(true);
      expect(isSafeRelativePath('/.env', true)).to.equal(true);
      expect(isSafeRelativePath('/../secret', true)).to.equal(false);
      expect(isSafeRelativePath('/./x', true)).to.equal(false);
    });
  });

  describe('isInsideRoot()', () => {
    it('accepts the root and what is under it', () => {
      expect(isInsideRoot('/srv/pub', '/srv/pub')).to.equal(true);
      expect(isInsideRoot('/srv/pub', '/srv/pub/a.css')).to.equal(true);
      expect(isInsideRoot('/srv/pub', '/srv/pub/css/a.css')).to.equal(true);
    });

    it('refuses a sibling sharing the root as a string prefix, and the parent', () => {
      expect(isInsideRoot('/srv/pub', '/srv/pub-secret/a.css')).to.equal(false);
      expect(isInsideRoot('/srv/pub', '/srv/pubx')).to.equal(false);
      expect(isInsideRoot('/srv/pub', '/srv')).to.equal(false);
      expect(isInsideRoot('/srv/pub', '/etc/passwd')).to.equal(false);
    });
  });
});
