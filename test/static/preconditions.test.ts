// Conditional requests: each header alone, and the RFC 9110 §13.2.2 order.

import { expect } from 'chai';
import { checkPreconditions, matchesAny } from '../../src/static/preconditions';

describe('static: preconditions', () => {
  const etag = '"3e8-18f"';
  const lastModified = Date.parse('Tue, 07 May 2024 10:00:00 GMT');
  const before = 'Tue, 07 May 2024 09:00:00 GMT';
  const same = 'Tue, 07 May 2024 10:00:00 GMT';
  const after = 'Tue, 07 May 2024 11:00:00 GMT';
  const check = (headers: Record<string, string>) => checkPreconditions(headers, etag, lastModified);

  it('goes on without conditional headers', () => {
    expect(check({})).to.equal(0);
  });

  it('If-None-Match: 304 for the ETag (weakly compared), a list holding it, or *', () => {
    expect(check({ 'if-none-match': etag })).to.equal(304);
    expect(check({ 'if-none-match': `W/${etag}` })).to.equal(304);
    expect(check({ 'if-none-match': `"a", ${etag}` })).to.equal(304);
    expect(check({ 'if-none-match': '*' })).to.equal(304);
    expect(check({ 'if-none-match': '"other"' })).to.equal(0);
  });

  it('If-Modified-Since: 304 unless modified after the date; ignored if not a date', () => {
    expect(check({ 'if-modified-since': same })).to.equal(304);
    expect(check({ 'if-modified-since': after })).to.equal(304);
    expect(check({ 'if-modified-since': before })).to.equal(0);
    expect(check({ 'if-modified-since': 'yesterday' })).to.equal(0);
  });

  it('If-None-Match wins over If-Modified-Since', () => {
    expect(check({ 'if-none-match': '"other"', 'if-modified-since': after })).to.equal(0);
    expect(check({ 'if-none-match': etag, 'if-modified-since': before })).to.equal(304);
  });

  it('If-Match: 412 unless the ETag (strongly compared) or * is listed', () => {
    expect(check({ 'if-match': etag })).to.equal(0);
    expect(check({ 'if-match': `"a", ${etag}` })).to.equal(0);
    expect(check({ 'if-match': '*' })).to.equal(0);
    expect(check({ 'if-match': '"other"' })).to.equal(412);
    expect(check({ 'if-match': `W/${etag}` })).to.equal(412);
  });

  it('If-Unmodified-Since: 412 when modified after the date; ignored if not a date', () => {
    expect(check({ 'if-unmodified-since': before })).to.equal(412);
    expect(check({ 'if-unmodified-since': same })).to.equal(0);
    expect(check({ 'if-unmodified-since': after })).to.equal(0);
    expect(check({ 'if-unmodified-since': 'soon' })).to.equal(0);
  });

  it('If-Match wins over If-Unmodified-Since, and 412 wins over 304', () => {
    expect(check({ 'if-match': etag, 'if-unmodified-since': before })).to.equal(0);
    expect(check({ 'if-match': '"other"', 'if-none-match': etag })).to.equal(412);
  });

  it('matchesAny() compares weakly or strongly', () => {
    expect(matchesAny(' W/"a" ,"b"', '"a"', true)).to.equal(true);
    expect(matchesAny(' W/"a" ,"b"', '"a"', false)).to.equal(false);
    expect(matchesAny(' W/"a" ,"b"', '"b"', false)).to.equal(true);
  });
});
