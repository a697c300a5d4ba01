// RequestIds: generated request ids.

import { expect } from 'chai';
import { RequestIds } from '../../src/http/request-ids';

const GENERATED_ID = /^[0-9a-z]{6}-[0-9a-z]{1,5}$/;

describe('RequestIds', () => {
  it('makes ids from a six-digit base-36 prefix and a counter, a new id each time', () => {
    const ids = new RequestIds();
    const made = Array.from({ length: 1000 }, () => ids.next());
    for (const id of made) expect(id).to.match(GENERATED_ID);
    expect(new Set(made).size).to.equal(1000);
    expect(new Set(made.map((id) => id.split('-')[0])).size).to.equal(1);
    expect(made.slice(0, 3).map((id) => id.split('-')[1])).to.deep.equal(['1', '2', '3']);
  });

  it('pads a small prefix to six digits', () => {
    expect(new RequestIds(undefined, () => 35).next()).to.equal('00000z-1');
  });

  it('never passes 12 characters: the prefix is redrawn before the counter needs another digit', () => {
    const draws = [1, 2, 3];
    const ids = new RequestIds(36 ** 2, () => draws.shift() as number);
    const made = Array.from({ length: 2 * 36 ** 2 }, () => ids.next());
    expect(new Set(made).size).to.equal(made.length);
    expect(Math.max(...made.map((id) => id.split('-')[1]?.length ?? 0))).to.equal(2);
    expect(made[36 ** 2 - 2]).to.equal('000001-zz');
    expect(made[36 ** 2 - 1]).to.equal('000002-1');
    expect(new Set(made.map((id) => id.split('-')[0]))).to.deep.equal(new Set(['000001', '000002', '000003']));
  });
});
