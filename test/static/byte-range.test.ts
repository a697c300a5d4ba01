// Range parsing (RFC 9110 §14) and If-Range, against a file of known size.

import { expect } from 'chai';
import { ifRangeHolds, parseRange, UNSATISFIABLE } from '../../src/static/byte-range';

describe('static: byte ranges', () => {
  describe('parseRange()', () => {
    const size = 1000;
    const cases: [string, ReturnType<typeof parseRange>][] = [
      ['bytes=0-99', { start: 0, end: 99 }],
      ['bytes=100-', { start: 100, end: 999 }],
      ['bytes=-100', { start: 900, end: 999 }],
      ['bytes=-5000', { start: 0, end: 999 }],
      ['bytes=990-5000', { start: 990, end: 999 }],
      ['bytes=999-999', { start: 999, end: 999 }],
      ['BYTES = 0-0', { start: 0, end: 0 }],
      ['bytes= 5-9 ,', { start: 5, end: 9 }],
      // Only one of the two is satisfiable: it is served.
      ['bytes=0-9, 2000-3000', { start: 0, end: 9 }],
      ['bytes=1000-', UNSATISFIABLE],
      ['bytes=1000-2000', UNSATISFIABLE],
      ['bytes=-0', UNSATISFIABLE],
      ['bytes=1000-1001, 5000-', UNSATISFIABLE],
      // Ignored: the whole file is sent.
      ['bytes=0-9,20-29', undefined],
      ['items=0-9', undefined],
      ['bytes=9-0', undefined],
      ['bytes=abc', undefined],
      ['bytes=-', undefined],
      ['bytes=', undefined],
      ['bytes=0-9;x', undefined],
      ['bytes 0-9', undefined],
    ];
    for (const [header, expected] of cases) {
      it(`${JSON.stringify(header)} of 1000 bytes → ${expected === UNSATISFIABLE ? 'unsatisfiable' : (JSON.stringify(expected) ?? 'ignored')}`, () => {
        expect(parseRange(header, size)).to.deep.equal(expected);
      });
    }

    it('finds nothing satisfiable in an empty file', () => {
      expect(parseRange('bytes=0-', 0)).to.equal(UNSATISFIABLE);
      expect(parseRange('bytes=-1', 0)).to.equal(UNSATISFIABLE);
    });
  });

  describe('ifRangeHolds()', () => {
    const etag = '"3e8-18f"';
    const lastModified = Date.parse('Tue, 07 May 2024 10:00:00 GMT');

    it('holds without If-Range', () => {
      expect(ifRangeHolds(undefined, etag, lastModified)).to.equal(true);
    });

    it('holds for the current ETag only, never for a weak one', () => {
      expect(ifRangeHolds(etag, etag, lastModified)).to.equal(true);
      expect(ifRangeHolds('"other"', etag, lastModified)).to.equal(false);
      expect(ifRangeHolds(`W/${etag}`, etag, lastModified)).to.equal(false);
    });

    it('holds for exactly the Last-Modified date', () => {
      expect(ifRangeHolds('Tue, 07 May 2024 10:00:00 GMT', etag, lastModified)).to.equal(true);
      expect(ifRangeHolds('Tue, 07 May 2024 10:00:01 GMT', etag, lastModified)).to.equal(false);
      expect(ifRangeHolds('Tue, 07 May 2024 09:59:59 GMT', etag, lastModified)).to.equal(false);
      expect(ifRangeHolds('not a date', etag, lastModified)).to.equal(false);
    });
  });
});
