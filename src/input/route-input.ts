// RouteInput: a route's declared body, query and params classes, read and
// checked before its job takes a worker.
//
//   params ──► query ──► body: empty? 400 · not JSON? 415 · over bodyLimit? 413
//                              · bad JSON? 400 · not an object? 400
//   each one: plainToInstance (class-transformer) ──► validate (class-validator) ──► req.params / query / body
//
// Everything that can be decided per route (which parts, which options) is
// decided once, at bootstrap; a route without input has no RouteInput at all.

import type { ServerResponse } from 'node:http';
import type { ClassTransformOptions } from 'class-transformer';
import type { ValidatorOptions } from 'class-validator';
import {
  EmptyBodyError,
  InputValidationError,
  MalformedJsonError,
  RouteDefinitionError,
  UnsupportedMediaTypeError,
  type InputLocation,
} from '../errors';
import { sendContinue } from '../http/expect-continue';
import type { HttpRequest, RouteParams, RouteQuery } from '../http/http-types';
import { declaresBody } from './body-limit';
import { toInputViolations } from './input-violations';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-depth';
import { isJsonMediaType } from './json-media-type';
import { readBody } from './read-body';
import type { Constructor, RouteOptions, UnknownProperties } from '../routing/route-metadata';

/** The app-level settings a route's input follows unless the route says otherwise. */
export interface InputDefaults {
  unknownProperties: UnknownProperties;
}

// JSON already has types: converting would let `"age": "42"` pass as a number.
const KEEP_JSON_TYPES: ClassTransformOptions = { enableImplicitConversion: false };
// Query and path values are always strings: convert to the declared property types.
const CONVERT_STRINGS: ClassTransformOptions = { enableImplicitConversion: true };

// `whitelist` drops properties the class has no decorator for; with
// `forbidNonWhitelisted` they fail instead. The value is left out of the
// errors: it may be a password, and it is the client's own anyway. The
// target stays on them (it never reaches the answer): it tells a Map's
// entries, named by the client's keys, from a class's declared properties.
const STRIP: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: false,
  forbidUnknownValues: true,
  validationError: { target: true, value: false },
};
const REJECT: ValidatorOptions = { ...STRIP, forbidNonWhitelisted: true };

const UNKNOWN_PROPERTIES: Record<UnknownProperties, ValidatorOptions> = { strip: STRIP, reject: REJECT };

export class RouteInput {
  private constructor(
    private readonly params: Constructor<object> | undefined,
    private readonly query: Constructor<object> | undefined,
    private readonly body: Constructor<object> | undefined,
    private readonly validatorOptions: ValidatorOptions,
  ) {}

  /**
   * The route's input plan, or `undefined` when it declares none (its handler
   * then gets the raw stream and pays nothing). Throws `RouteDefinitionError`
   * for an option that could never work, naming the route.
   */
  static of(options: RouteOptions, routeName: string, defaults: InputDefaults): RouteInput | undefined {
    const unknownProperties = options.unknownProperties ?? defaults.unknownProperties;
    if (!Object.hasOwn(UNKNOWN_PROPERTIES, unknownProperties)) {
      throw new RouteDefinitionError(
        `Route ${routeName}: unknownProperties must be 'strip' or 'reject', got ${JSON.stringify(unknownProperties)}`,
      );
    }
    const params = checkClass(options.params, 'params', routeName);
    const query = checkClass(options.query, 'query', routeName);
    const body = checkClass(options.body, 'body', routeName);
    if (params === undefined && query === undefined && body === undefined) return undefined;
    return new RouteInput(params, query, body, UNKNOWN_PROPERTIES[unknownProperties]);
  }

  /**
   * Reads and checks the declared parts, cheapest first, and sets the
   * validated instances on the request. Rejects with the HttpError to answer.
   * A client waiting for `100 Continue` (on `res`) gets it only once the body
   * will be read: after the params, the query and the body's media type passed.
   */
  async read(req: HttpRequest, res?: ServerResponse): Promise<void> {
    // Path parameters come from the route pattern, not the client: whatever
    // the class leaves out is the route author's choice, so always strip.
    if (this.params !== undefined) {
      req.params = (await check('params', this.params, req.params, CONVERT_STRINGS, STRIP)) as RouteParams;
    }
    if (this.query !== undefined) {
      req.query = (await check('query', this.query, req.query, CONVERT_STRINGS, this.validatorOptions)) as RouteQuery;
    }
    if (this.body !== undefined) {
      const json = await readJsonObject(req, res);
      req.body = await check('body', this.body, json, KEEP_JSON_TYPES, this.validatorOptions);
    }
  }
}

async function check(
  location: InputLocation,
  cls: Constructor<object>,
  plain: object,
  transform: ClassTransformOptions,
  validator: ValidatorOptions,
): Promise<object> {
  const instance = loadTransformer().plainToInstance(cls, plain, transform);
  const errors = await loadValidator().validate(instance, validator);
  if (errors.length > 0) throw new InputValidationError(location, toInputViolations(errors));
  return instance;
}

async function readJsonObject(req: HttpRequest, res: ServerResponse | undefined): Promise<object> {
  // No body at all is answered before the media type: there is nothing to mislabel.
  if (!declaresBody(req)) throw new EmptyBodyError();
  const contentType = req.headers['content-type'];
  if (!isJsonMediaType(contentType)) throw new UnsupportedMediaTypeError(contentType);
  if (res !== undefined) sendContinue(res);
  const raw = await readBody(req);
  if (raw.length === 0) throw new EmptyBodyError();
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new MalformedJsonError(error);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputValidationError('body', [], 'Request body must be a JSON object');
  }
  // Before class-transformer recurses into it (undeclared properties too): deep enough, it overflows the stack.
  if (nestedDeeperThan(value, MAX_JSON_DEPTH, raw.length)) {
    throw new InputValidationError('body', [], `Request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value;
}

function checkClass(cls: unknown, location: InputLocation, routeName: string): Constructor<object> | undefined {
  if (cls === undefined) return undefined;
  if (typeof cls !== 'function') {
    throw new RouteDefinitionError(`Route ${routeName}: the ${location} option must be a class, got ${typeof cls}`);
  }
  // class-validator answers every instance of an undecorated class with an
  // "unknown value" error: a route that could only ever answer 400.
  if (loadValidator().getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).length === 0) {
    throw new RouteDefinitionError(
      `Route ${routeName}: ${location} class ${cls.name} has no class-validator decorators ` +
        '(decorate each property, e.g. @IsString(), @IsOptional() or @Allow())',
    );
  }
  return cls as Constructor<object>;
}

// class-validator and class-transformer load on first use, by a route that
// declares input: loading class-validator takes ~150 ms, and an app without
// validated routes should neither pay that at startup nor need them installed.
let classTransformer: typeof import('class-transformer') | undefined;
let classValidator: typeof import('class-validator') | undefined;

function loadTransformer(): typeof import('class-transformer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (classTransformer ??= require('class-transformer') as typeof import('class-transformer'));
}

function loadValidator(): typeof import('class-validator') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (classValidator ??= require('class-validator') as typeof import('class-validator'));
}
