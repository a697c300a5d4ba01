// BodyReader: a route's declared body, read whole before the request becomes
// a job: by its Content-Type, one of the kinds the route accepts (body-kinds),
// within the body limit; then, for a class, validated.
//
//   body: SomeClass                     JSON, validated (bodyTypes adds 'form', 'multipart')
//   body: 'json' | 'text' | 'form' | 'multipart'   read, not validated

import type { ServerResponse } from 'node:http';
import type { ValidatorOptions } from 'class-validator';
import {
  EmptyBodyError,
  InputValidationError,
  MalformedJsonError,
  RouteDefinitionError,
  UnsupportedMediaTypeError,
} from '../errors';
import { sendContinue } from '../http/expect-continue';
import type { HttpRequest, HttpResponse } from '../http/http-types';
import type { Constructor } from '../routing/route-metadata';
import { bodyKindOf, MEDIA_TYPES, type BodyKind } from './body-kinds';
import { bodyLimitOf, declaresBody } from './body-limit';
import { parseForm } from './form-body';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-depth';
import { readMultipart, type ResolvedMultipart } from './multipart-body';
import { readBody } from './read-body';
import { decodeText } from './text-body';
import { checkInput, CONVERT_STRINGS, KEEP_JSON_TYPES } from './validate-input';

const KINDS: readonly BodyKind[] = ['json', 'form', 'multipart', 'text'];

export class BodyReader {
  private readonly expected: readonly string[];

  private constructor(
    private readonly kinds: ReadonlySet<BodyKind>,
    private readonly cls: Constructor<object> | undefined,
    private readonly multipart: ResolvedMultipart,
  ) {
    this.expected = [...kinds].map((kind) => MEDIA_TYPES[kind]);
  }

  /** The reader for a route's `body` and `bodyTypes` options; throws `RouteDefinitionError` for ones that cannot work. */
  static of(
    body: Constructor<object> | BodyKind,
    bodyTypes: readonly BodyKind[] | undefined,
    multipart: ResolvedMultipart,
    routeName: string,
  ): BodyReader {
    if (typeof body === 'string') {
      if (!KINDS.includes(body)) {
        throw new RouteDefinitionError(
          `Route ${routeName}: body must be a class or one of ${KINDS.map((kind) => `'${kind}'`).join(', ')}, got ${JSON.stringify(body)}`,
        );
      }
      if (bodyTypes !== undefined) {
        throw new RouteDefinitionError(
          `Route ${routeName}: bodyTypes is for a body class; body: '${body}' names its one type`,
        );
      }
      return new BodyReader(new Set([body]), undefined, multipart);
    }
    const kinds = bodyTypes ?? ['json'];
    if (!Array.isArray(kinds) || kinds.length === 0 || kinds.some((kind) => kind === 'text' || !KINDS.includes(kind))) {
      throw new RouteDefinitionError(
        `Route ${routeName}: bodyTypes must list 'json', 'form' or 'multipart' (a class validates fields, not text)`,
      );
    }
    return new BodyReader(new Set(kinds), body, multipart);
  }

  /** Reads (and validates) the body; sets `req.files` for multipart. Rejects with the HttpError to answer. */
  async read(req: HttpRequest, res: ServerResponse | undefined, validator: ValidatorOptions): Promise<unknown> {
    // No body at all is answered before the media type: there is nothing to mislabel.
    if (!declaresBody(req)) throw new EmptyBodyError(this.describe());
    const contentType = req.headers['content-type'];
    const kind = bodyKindOf(contentType);
    if (kind === undefined || !this.kinds.has(kind)) throw new UnsupportedMediaTypeError(contentType, this.expected);
    if (res !== undefined) sendContinue(res);
    if (kind === 'multipart') {
      const { fields, files } = await readMultipart(
        req,
        res as HttpResponse | undefined,
        this.multipart,
        bodyLimitOf(req),
      );
      req.files = files;
      return this.cls === undefined ? fields : checkInput('body', this.cls, fields, CONVERT_STRINGS, validator);
    }
    const raw = await readBody(req);
    if (raw.length === 0) throw new EmptyBodyError(this.describe());
    if (kind === 'text') return decodeText(raw, contentType as string);
    if (kind === 'form') {
      const fields = parseForm(raw);
      return this.cls === undefined ? fields : checkInput('body', this.cls, fields, CONVERT_STRINGS, validator);
    }
    const json = parseJson(raw);
    if (this.cls === undefined) return json;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new InputValidationError('body', [], 'Request body must be a JSON object');
    }
    return checkInput('body', this.cls, json, KEEP_JSON_TYPES, validator);
  }

  private describe(): string {
    return this.kinds.size === 1 && this.kinds.has('json') ? 'a JSON body' : `a body (${this.expected.join(', ')})`;
  }
}

function parseJson(raw: Buffer): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new MalformedJsonError(error);
  }
  // Before class-transformer recurses into it (undeclared properties too): deep enough, it overflows the stack.
  if (value !== null && typeof value === 'object' && nestedDeeperThan(value, MAX_JSON_DEPTH, raw.length)) {
    throw new InputValidationError('body', [], `Request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return value;
}
