// errors.ts: the pinned list of error classes, their codes and statuses, and
// that every code is documented in the README.

import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import * as errors from '../src/errors';
import {
  ControllerLoadError,
  DuplicateRouteError,
  HttpError,
  HttpPoolError,
  MalformedUrlError,
  MalformedRequestError,
  RequestTimeoutError,
  HeadersTooLargeError,
  ExpectationFailedError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  EmptyBodyError,
  MalformedJsonError,
  InputValidationError,
  QueueFullError,
  QueueTimeoutError,
  HandlerTimeoutError,
  RouteDefinitionError,
  ShuttingDownError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  StaticRootError,
  InvalidProviderError,
  AppClosedError,
  ForbiddenError,
  CrashLoopError,
  RollingRestartError,
  InputFullError,
} from '../src/errors';

// [class name, code, statusCode]. Adding, renaming or renumbering an error is
// a public change: update this list, and the README, on purpose.
const EXPECTED: [string, string, number][] = [
  ['HttpPoolError', 'HTTPPOOL_ERROR', 500],
  // HttpError answers with the status it is given; 418 below.
  ['HttpError', 'HTTPPOOL_HTTP_ERROR', 418],
  ['NotFoundError', 'HTTPPOOL_NOT_FOUND', 404],
  ['MethodNotAllowedError', 'HTTPPOOL_METHOD_NOT_ALLOWED', 405],
  ['MalformedUrlError', 'HTTPPOOL_MALFORMED_URL', 400],
  ['MalformedRequestError', 'HTTPPOOL_MALFORMED_REQUEST', 400],
  ['RequestTimeoutError', 'HTTPPOOL_REQUEST_TIMEOUT', 408],
  ['HeadersTooLargeError', 'HTTPPOOL_HEADERS_TOO_LARGE', 431],
  ['ExpectationFailedError', 'HTTPPOOL_EXPECTATION_FAILED', 417],
  ['ForbiddenError', 'HTTPPOOL_FORBIDDEN', 403],
  ['PayloadTooLargeError', 'HTTPPOOL_PAYLOAD_TOO_LARGE', 413],
  ['UnsupportedMediaTypeError', 'HTTPPOOL_UNSUPPORTED_MEDIA_TYPE', 415],
  ['EmptyBodyError', 'HTTPPOOL_EMPTY_BODY', 400],
  ['MalformedJsonError', 'HTTPPOOL_MALFORMED_JSON', 400],
  ['InputValidationError', 'HTTPPOOL_INPUT_VALIDATION', 400],
  ['QueueFullError', 'HTTPPOOL_QUEUE_FULL', 503],
  ['QueueTimeoutError', 'HTTPPOOL_QUEUE_TIMEOUT', 503],
  ['HandlerTimeoutError', 'HTTPPOOL_HANDLER_TIMEOUT', 504],
  ['InputFullError', 'HTTPPOOL_INPUT_FULL', 503],
  ['ShuttingDownError', 'HTTPPOOL_SHUTTING_DOWN', 503],
  ['PreconditionFailedError', 'HTTPPOOL_PRECONDITION_FAILED', 412],
  ['RangeNotSatisfiableError', 'HTTPPOOL_RANGE_NOT_SATISFIABLE', 416],
  ['RouteDefinitionError', 'HTTPPOOL_ROUTE_DEFINITION', 500],
  ['DuplicateRouteError', 'HTTPPOOL_DUPLICATE_ROUTE', 500],
  ['ControllerLoadError', 'HTTPPOOL_CONTROLLER_LOAD', 500],
  ['InvalidProviderError', 'HTTPPOOL_INVALID_PROVIDER', 500],
  ['AppClosedError', 'HTTPPOOL_APP_CLOSED', 500],
  ['StaticRootError', 'HTTPPOOL_STATIC_ROOT', 500],
  ['CrashLoopError', 'HTTPPOOL_CRASH_LOOP', 500],
  ['RollingRestartError', 'HTTPPOOL_ROLLING_RESTART', 500],
];

/** One instance of every exported error class, keyed by class name. */
const INSTANCES: Record<string, HttpPoolError> = {
  HttpPoolError: new HttpPoolError('base'),
  HttpError: new HttpError(418),
  NotFoundError: new NotFoundError('GET', '/nowhere'),
  MethodNotAllowedError: new MethodNotAllowedError('DELETE', '/users', ['GET', 'POST']),
  MalformedUrlError: new MalformedUrlError(),
  MalformedRequestError: new MalformedRequestError('Invalid header token'),
  RequestTimeoutError: new RequestTimeoutError(),
  HeadersTooLargeError: new HeadersTooLargeError(16384),
  ExpectationFailedError: new ExpectationFailedError('magic'),
  ForbiddenError: new ForbiddenError('AdminGuard'),
  PayloadTooLargeError: new PayloadTooLargeError(1024),
  UnsupportedMediaTypeError: new UnsupportedMediaTypeError('text/plain'),
  EmptyBodyError: new EmptyBodyError(),
  MalformedJsonError: new MalformedJsonError(new SyntaxError('Unexpected end of JSON input')),
  InputValidationError: new InputValidationError('body', [{ property: 'name', constraints: { isString: 'x' } }]),
  QueueFullError: new QueueFullError(1),
  QueueTimeoutError: new QueueTimeoutError(5000, 1),
  HandlerTimeoutError: new HandlerTimeoutError(30000),
  InputFullError: new InputFullError(1),
  ShuttingDownError: new ShuttingDownError(),
  PreconditionFailedError: new PreconditionFailedError(),
  RangeNotSatisfiableError: new RangeNotSatisfiableError(1024),
  RouteDefinitionError: new RouteDefinitionError('bad route'),
  DuplicateRouteError: new DuplicateRouteError('duplicate route'),
  ControllerLoadError: new ControllerLoadError('cannot load'),
  StaticRootError: new StaticRootError('no such folder'),
  InvalidProviderError: new InvalidProviderError('no submit()'),
  AppClosedError: new AppClosedError(),
  CrashLoopError: new CrashLoopError(5, 10_000),
  RollingRestartError: new RollingRestartError('a new process did not listen within 30000 ms'),
};

function exportedErrorClasses(): [string, new (...args: never[]) => Error][] {
  return Object.entries(errors as Record<string, unknown>).filter(
    (entry): entry is [string, new (...args: never[]) => Error] =>
      typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
  );
}

describe('errors', () => {
  it('exports exactly the pinned error classes', () => {
    const exported = exportedErrorClasses()
      .map(([name]) => name)
      .sort();
    expect(exported).to.deep.equal(EXPECTED.map(([name]) => name).sort());
    expect(Object.keys(INSTANCES).sort()).to.deep.equal(exported);
  });

  it('pins each class’s code and statusCode', () => {
    const actual = EXPECTED.map(([name]) => [name, INSTANCES[name].code, INSTANCES[name].statusCode]);
    expect(actual).to.deep.equal(EXPECTED);
  });

  it('gives every class a unique code starting with HTTPPOOL_', () => {
    const codes = Object.values(INSTANCES).map((error) => error.code);
    expect(new Set(codes).size).to.equal(codes.length);
    for (const code of codes) expect(code).to.match(/^HTTPPOOL_[A-Z_]+$/);
  });

  for (const [name, ctor] of exportedErrorClasses()) {
    it(`${name}: name is the class name and it is an HttpPoolError and an Error`, () => {
      const error = INSTANCES[name];
      expect(error).to.be.instanceOf(ctor);
      expect(error).to.be.instanceOf(HttpPoolError);
      expect(error).to.be.instanceOf(Error);
      expect(error.name).to.equal(name);
      expect(error.stack).to.be.a('string').that.includes(name);
    });
  }

  it('client errors are HttpErrors; bootstrap errors are not', () => {
    const clientErrors = Object.entries(INSTANCES)
      .filter(([, error]) => error instanceof HttpError)
      .map(([name]) => name)
      .sort();
    expect(clientErrors).to.deep.equal(
      [
        'HttpError',
        'NotFoundError',
        'ForbiddenError',
        'MethodNotAllowedError',
        'MalformedUrlError',
        'MalformedRequestError',
        'RequestTimeoutError',
        'HeadersTooLargeError',
        'ExpectationFailedError',
        'PayloadTooLargeError',
        'UnsupportedMediaTypeError',
        'EmptyBodyError',
        'MalformedJsonError',
        'InputValidationError',
        'QueueFullError',
        'QueueTimeoutError',
        'HandlerTimeoutError',
        'ShuttingDownError',
        'InputFullError',
        'PreconditionFailedError',
        'RangeNotSatisfiableError',
      ]
        .slice()
        .sort(),
    );
  });

  describe('HttpError', () => {
    for (const status of [0, 200, 399, 600, 404.5, NaN, Infinity, '404']) {
      it(`rejects statusCode ${JSON.stringify(status) ?? String(status)} with a RangeError`, () => {
        expect(() => new HttpError(status as number)).to.throw(RangeError, /statusCode/);
      });
    }

    it('accepts statusCode 400 and 599', () => {
      expect(new HttpError(400).statusCode).to.equal(400);
      expect(new HttpError(599).statusCode).to.equal(599);
    });

    it('defaults the message to the status text', () => {
      expect(new HttpError(404).message).to.equal('Not Found');
      expect(new HttpError(503).message).to.equal('Service Unavailable');
      expect(new HttpError(599).message).to.equal('Error');
      expect(new HttpError(404, 'no user 7').message).to.equal('no user 7');
    });

    it('keeps details and headers', () => {
      const error = new HttpError(422, 'invalid', { details: [{ field: 'name' }], headers: { 'x-why': 'name' } });
      expect(error.details).to.deep.equal([{ field: 'name' }]);
      expect(error.headers).to.deep.equal({ 'x-why': 'name' });
      expect(new HttpError(400).headers).to.equal(undefined);
    });
  });

  describe('cause', () => {
    it('is kept by HttpPoolError, HttpError and the bootstrap errors', () => {
      const cause = new Error('root cause');
      expect(new HttpPoolError('x', { cause }).cause).to.equal(cause);
      expect(new HttpError(500, 'x', { cause }).cause).to.equal(cause);
      expect(new RouteDefinitionError('x', { cause }).cause).to.equal(cause);
      expect(new DuplicateRouteError('x', { cause }).cause).to.equal(cause);
      expect(new ControllerLoadError('x', { cause }).cause).to.equal(cause);
    });

    it('is absent when none is given', () => {
      expect(new HttpPoolError('x')).to.not.have.property('cause');
    });
  });

  describe('subclass details', () => {
    it('NotFoundError names the method, keeps the path and does not repeat it', () => {
      const error = INSTANCES.NotFoundError as NotFoundError;
      expect(error.message).to.equal('No route for GET on this path');
      expect(error.path).to.equal('/nowhere');
      expect(new NotFoundError('BREW', '/x').message).to.equal('No route for this method on this path');
    });

    it('UnsupportedMediaTypeError keeps the Content-Type given without repeating it, or says there is none', () => {
      const error = INSTANCES.UnsupportedMediaTypeError as UnsupportedMediaTypeError;
      expect(error.message).to.equal('Content-Type must be application/json (or a +json type), in UTF-8');
      expect(error.contentType).to.equal('text/plain');
      expect(new UnsupportedMediaTypeError(undefined).message).to.match(/has none$/);
    });

    it('MalformedJsonError keeps the parser error as cause and tells where it stopped, not its words', () => {
      const error = INSTANCES.MalformedJsonError as MalformedJsonError;
      expect(error.cause).to.be.instanceOf(SyntaxError);
      expect(error.message).to.equal('Request body is not valid JSON (it ends too soon)');
      const quoting = new MalformedJsonError(new SyntaxError('Unexpected token \'s\', "secret" is not valid JSON'));
      expect(quoting.message).to.equal('Request body is not valid JSON');
      const placed = new MalformedJsonError(new SyntaxError('Unexpected token } in JSON at position 12'));
      expect(placed.message).to.equal('Request body is not valid JSON (at position 12)');
    });

    it('InputValidationError keeps its location and details, and names the failing properties', () => {
      const error = INSTANCES.InputValidationError as InputValidationError;
      expect(error.location).to.equal('body');
      expect(error.details).to.deep.equal([{ property: 'name', constraints: { isString: 'x' } }]);
      expect(error.message).to.equal('Invalid request body: name');
    });

    it('MethodNotAllowedError keeps the allowed methods and sends an Allow header', () => {
      const error = INSTANCES.MethodNotAllowedError as MethodNotAllowedError;
      expect(error.allow).to.deep.equal(['GET', 'POST']);
      expect(error.headers).to.deep.equal({ allow: 'GET, POST' });
      expect(error.message).to.equal('Method DELETE is not allowed on this path');
      expect(error.path).to.equal('/users');
    });

    it('RangeNotSatisfiableError keeps the size and tells it in Content-Range', () => {
      const error = INSTANCES.RangeNotSatisfiableError as RangeNotSatisfiableError;
      expect(error.size).to.equal(1024);
      expect(error.headers).to.deep.equal({ 'content-range': 'bytes */1024' });
    });

    it('QueueFullError sends Retry-After', () => {
      expect(new QueueFullError(7).headers).to.deep.equal({ 'retry-after': '7' });
    });

    it('ShuttingDownError asks the client to close the connection', () => {
      expect(INSTANCES.ShuttingDownError.statusCode).to.equal(503);
      expect((INSTANCES.ShuttingDownError as ShuttingDownError).headers).to.deep.equal({ connection: 'close' });
    });
  });

  it('every code is documented in README.md', () => {
    // Compiled to dist/test, so the repository root is two levels up.
    const readmePath = path.join(__dirname, '../../README.md');
    expect(fs.existsSync(readmePath), `${readmePath} should exist`).to.equal(true);
    const readme = fs.readFileSync(readmePath, 'utf8');
    const missing = Object.values(INSTANCES)
      .map((error) => error.code)
      .filter((code) => !readme.includes(code));
    expect(missing, 'codes missing from README.md').to.deep.equal([]);
  });
});
