// RouteInput: a route's declared params, query and body, read and checked
// before its job takes a worker.
//
//   params ──► query ──► body (BodyReader: by Content-Type, within the body limit)
//   a class: plainToInstance (class-transformer) ──► validate (class-validator) ──► req.params / query / body
//
// Everything that can be decided per route (which parts, which options) is
// decided once, at bootstrap; a route without input has no RouteInput at all.

import type { ServerResponse } from 'node:http';
import type { ValidatorOptions } from 'class-validator';
import { RouteDefinitionError, type InputLocation } from '../errors';
import type { HttpRequest, RouteParams, RouteQuery } from '../http/http-types';
import type { Constructor, RouteOptions, UnknownProperties } from '../routing/route-metadata';
import { BodyReader } from './body-reader';
import { checkMultipart } from './multipart-body';
import { checkInput as check, CONVERT_STRINGS, loadValidator } from './validate-input';

/** The app-level settings a route's input follows unless the route says otherwise. */
export interface InputDefaults {
  unknownProperties: UnknownProperties;
}

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
    private readonly body: BodyReader | undefined,
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
    const body =
      options.body === undefined
        ? undefined
        : BodyReader.of(
            typeof options.body === 'string'
              ? options.body
              : (checkClass(options.body, 'body', routeName) as Constructor<object>),
            options.bodyTypes,
            checkMultipart(options.multipart, routeName),
            routeName,
          );
    if (params === undefined && query === undefined && body === undefined) return undefined;
    return new RouteInput(params, query, body, UNKNOWN_PROPERTIES[unknownProperties]);
  }

  /** True if the route reads a body (not only its params or query). */
  get readsBody(): boolean {
    return this.body !== undefined;
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
    if (this.body !== undefined) req.body = await this.body.read(req, res, this.validatorOptions);
  }
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
