// resolveOptions: defaults, and a loud TypeError/RangeError naming every bad option.

import { expect } from 'chai';
import { pino } from 'pino';
import { container } from 'tsyringe';
import { DEFAULT_OPTIONS, resolveOptions, type HttpPoolOptions } from '../src/options';

/** Passes a value the types forbid, as a JavaScript caller could. */
function loose(options: Record<string, unknown>): HttpPoolOptions {
  return options as HttpPoolOptions;
}

class UsersController {}

describe('resolveOptions()', () => {
  describe('defaults', () => {
    it('fills in workers 100, queueSize 1000 and no controllers', () => {
      const resolved = resolveOptions({});
      expect(resolved.workers).to.equal(100);
      expect(resolved.queueSize).to.equal(1000);
      expect(resolved.controllers).to.deep.equal([]);
      expect(resolved.container).to.equal(undefined);
      expect(resolved.logger).to.deep.equal({});
    });

    it('exports the defaults it uses', () => {
      expect(DEFAULT_OPTIONS).to.include({ workers: 100, queueSize: 1000, queueTimeoutMs: 5000, bodyLimit: 1048576 });
    });

    it('treats options set to undefined as not given', () => {
      const resolved = resolveOptions({ workers: undefined, queueSize: undefined, controllers: undefined });
      expect(resolved).to.deep.include({ workers: 100, queueSize: 1000, controllers: [] });
    });
  });

  describe('valid options', () => {
    it('keeps the given workers and queueSize', () => {
      expect(resolveOptions({ workers: 1, queueSize: 1 })).to.deep.include({ workers: 1, queueSize: 1 });
      expect(resolveOptions({ workers: 100_000, queueSize: 250 })).to.deep.include({
        workers: 100_000,
        queueSize: 250,
      });
    });

    it('turns a controllers folder into a one-item list', () => {
      expect(resolveOptions({ controllers: './controllers' }).controllers).to.deep.equal(['./controllers']);
    });

    it('keeps a controllers list of classes and folders', () => {
      const controllers = [UsersController, './more-controllers'];
      expect(resolveOptions({ controllers }).controllers).to.deep.equal(controllers);
    });

    it('keeps a tsyringe container', () => {
      const child = container.createChildContainer();
      expect(resolveOptions({ container: child }).container).to.equal(child);
    });

    it('keeps a pino logger, pino options, or false', () => {
      const logger = pino({ enabled: false });
      expect(resolveOptions({ logger }).logger).to.equal(logger);
      expect(resolveOptions({ logger: { level: 'debug' } }).logger).to.deep.equal({ level: 'debug' });
      expect(resolveOptions({ logger: false }).logger).to.equal(false);
    });
  });

  describe('bad options', () => {
    for (const bad of [null, 'workers', 5]) {
      it(`rejects options ${JSON.stringify(bad)} with a TypeError`, () => {
        expect(() => resolveOptions(bad as unknown as HttpPoolOptions)).to.throw(
          TypeError,
          /options must be an object/,
        );
      });
    }

    for (const key of ['worker', 'queue_size', 'port']) {
      it(`rejects the unknown option "${key}" with a TypeError naming it`, () => {
        expect(() => resolveOptions(loose({ [key]: 1 }))).to.throw(TypeError, `"${key}"`);
      });
    }

    const badCounts: [unknown, string][] = [
      [0, '0'],
      [-1, '-1'],
      [1.5, '1.5'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [2 ** 53, String(2 ** 53)],
      ['3', '"3"'],
      [true, 'true'],
      [null, 'null'],
    ];
    for (const name of ['workers', 'queueSize']) {
      for (const [value, shown] of badCounts) {
        it(`rejects ${name} ${shown} with a RangeError naming the option and the value`, () => {
          expect(() => resolveOptions(loose({ [name]: value })))
            .to.throw(RangeError, `"${name}"`)
            .with.property('message')
            .that.includes(`got ${shown}`);
        });
      }
    }

    for (const value of [5, {}, null, true, [5], [null], [{}], ['./ok', 3]]) {
      it(`rejects controllers ${JSON.stringify(value)} with a TypeError`, () => {
        // A plain object is read as a { dir, include, exclude } folder, and named by its field.
        expect(() => resolveOptions(loose({ controllers: value }))).to.throw(
          TypeError,
          /"controllers(\[\d+\])?(\.dir)?"/,
        );
      });
    }

    for (const value of [null, {}, 'root', 1, { createChildContainer: 'no' }]) {
      it(`rejects container ${JSON.stringify(value)} with a TypeError`, () => {
        expect(() => resolveOptions(loose({ container: value }))).to.throw(TypeError, /"container"/);
      });
    }

    for (const value of [null, true, 'debug', 1]) {
      it(`rejects logger ${JSON.stringify(value)} with a TypeError`, () => {
        expect(() => resolveOptions(loose({ logger: value }))).to.throw(TypeError, /"logger"/);
      });
    }
  });
});
