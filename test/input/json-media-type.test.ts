// isJsonMediaType: which Content-Type headers a declared body accepts.

import { expect } from 'chai';
import { isJsonMediaType } from '../../src/input/json-media-type';

describe('isJsonMediaType()', () => {
  for (const type of [
    'application/json',
    'APPLICATION/JSON',
    ' application/json ',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset="utf8"',
    'application/json; version=2',
    'application/vnd.api+json',
    'application/problem+json; charset=utf-8',
  ]) {
    it(`accepts ${JSON.stringify(type)}`, () => {
      expect(isJsonMediaType(type)).to.equal(true);
    });
  }

  for (const type of [
    undefined,
    '',
    'text/plain',
    'text/json',
    'application/jsonp',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'json',
  ]) {
    it(`refuses ${JSON.stringify(type)}`, () => {
      expect(isJsonMediaType(type)).to.equal(false);
    });
  }
});
