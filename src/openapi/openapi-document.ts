// The OpenAPI 3.1 document of an app, built once at bootstrap from its route
// table: paths and methods, path and query parameters, request bodies, and
// the schemas of the class-validator classes they declare
// (class-validator-jsonschema, loaded only when a route declares a class).

import type { ResolvedRoute } from '../routing/route-table';
import type { Constructor } from '../routing/route-metadata';
import type { ResolvedOpenApi } from './openapi-options';

type Schema = Record<string, unknown>;

interface Operation {
  operationId: string;
  tags: string[];
  parameters?: Schema[];
  requestBody?: Schema;
  responses: Record<string, Schema>;
}

/** The methods an any-method route is listed under. */
const ANY_METHOD = ['get', 'post', 'put', 'patch', 'delete'];
const LISTED = new Set([...ANY_METHOD, 'options']);

const ERROR_SCHEMA: Schema = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    details: {},
  },
};

const errorResponse = (description: string): Schema => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/HttpPoolError' } } },
});

export function buildOpenApiDocument(routes: readonly ResolvedRoute[], options: ResolvedOpenApi): Schema {
  const classes = new Set<Constructor>();
  for (const route of routes) {
    const { body, query, params } = route.options;
    for (const cls of [typeof body === 'function' ? body : undefined, query, params]) {
      if (cls !== undefined) classes.add(cls as Constructor);
    }
  }
  const schemas: Record<string, Schema> = { ...schemasOf(classes), HttpPoolError: ERROR_SCHEMA };
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of routes) {
    const item = (paths[openApiPath(route.path)] ??= {});
    const declared = route.options.method;
    const methods =
      declared === undefined ? ANY_METHOD : ([] as string[]).concat(declared).map((method) => method.toLowerCase());
    for (const method of methods) {
      if (!LISTED.has(method)) continue;
      item[method] = operationOf(route, method, schemas, methods.length > 1);
    }
  }
  return {
    openapi: '3.1.0',
    info: options.info,
    paths,
    components: { schemas },
  };
}

/** `/users/:id` → `/users/{id}` (a parameter's regular expression dropped); `*` → `{wildcard}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}').replace(/\*/g, '{wildcard}');
}

function operationOf(route: ResolvedRoute, method: string, schemas: Record<string, Schema>, many: boolean): Operation {
  const [controller = 'App', methodName = route.name] = route.name.split('.');
  const operation: Operation = {
    operationId: many ? `${route.name}.${method}` : route.name,
    tags: [controller],
    responses: {
      '200': { description: `What ${methodName} returns` },
      '503': errorResponse('Shed: the queue is full or the wait passed queueTimeoutMs (Retry-After)'),
    },
  };
  const parameters = [...pathParameters(route, schemas), ...queryParameters(route, schemas)];
  if (parameters.length > 0) operation.parameters = parameters;
  const body = requestBodyOf(route);
  if (body !== undefined) operation.requestBody = body;
  if (route.input !== undefined) operation.responses['400'] = errorResponse('The input did not validate');
  if (route.guards !== undefined) operation.responses['403'] = errorResponse('A guard refused the request');
  return operation;
}

function pathParameters(route: ResolvedRoute, schemas: Record<string, Schema>): Schema[] {
  const declared = propertiesOf(route.options.params, schemas);
  return [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: declared.properties[name as string] ?? { type: 'string' },
  }));
}

function queryParameters(route: ResolvedRoute, schemas: Record<string, Schema>): Schema[] {
  const { properties, required } = propertiesOf(route.options.query, schemas);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    schema,
  }));
}

function requestBodyOf(route: ResolvedRoute): Schema | undefined {
  const { body, bodyTypes } = route.options;
  if (body === undefined) return undefined;
  if (typeof body === 'function') {
    const schema = { $ref: `#/components/schemas/${body.name}` };
    const content: Record<string, Schema> = {};
    for (const kind of bodyTypes ?? ['json']) content[MEDIA[kind]] = { schema };
    return { required: true, content };
  }
  const generic: Record<typeof body, Schema> = {
    json: { 'application/json': { schema: {} } },
    text: { 'text/plain': { schema: { type: 'string' } } },
    form: { 'application/x-www-form-urlencoded': { schema: { type: 'object' } } },
    multipart: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          additionalProperties: { type: 'string', contentMediaType: 'application/octet-stream' },
        },
      },
    },
  };
  return { required: true, content: generic[body] };
}

const MEDIA = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  multipart: 'multipart/form-data',
} as const;

function propertiesOf(
  cls: Constructor | undefined,
  schemas: Record<string, Schema>,
): { properties: Record<string, Schema>; required: string[] } {
  if (cls === undefined) return { properties: {}, required: [] };
  const schema = schemas[cls.name] ?? {};
  return {
    properties: (schema['properties'] as Record<string, Schema> | undefined) ?? {},
    required: (schema['required'] as string[] | undefined) ?? [],
  };
}

/**
 * The JSON schemas of the classes routes declare, by class name, with the
 * classes they nest. A declared class is described from its own constructor
 * (two classes of one name elsewhere in the process do not mix in); a nested
 * one is found by name, as class-validator-jsonschema refers to it. A
 * reference to no known class (`@ValidateNested()` without `@Type`) becomes
 * an open schema rather than a dangling `$ref`.
 */
function schemasOf(classes: ReadonlySet<Constructor>): Record<string, Schema> {
  if (classes.size === 0) return {};
  const { validationMetadatasToSchemas, targetConstructorToSchema } = loadJsonSchema();
  const options = { refPointerPrefix: REF };
  const byName = validationMetadatasToSchemas(options) as Record<string, Schema>;
  const picked: Record<string, Schema> = {};
  for (const cls of classes) picked[cls.name] = targetConstructorToSchema(cls, options) as Schema;
  const pending = Object.values(picked);
  while (pending.length > 0) {
    for (const name of refsIn(pending.pop() as Schema)) {
      if (picked[name] !== undefined || byName[name] === undefined) continue;
      picked[name] = byName[name];
      pending.push(byName[name]);
    }
  }
  return JSON.parse(
    JSON.stringify(picked, (_key, value: unknown) => (isDanglingRef(value, picked) ? {} : value)),
  ) as Record<string, Schema>;
}

const REF = '#/components/schemas/';

function refsIn(schema: Schema): string[] {
  return [...JSON.stringify(schema).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
    (match) => match[1] as string,
  );
}

function isDanglingRef(value: unknown, known: Record<string, Schema>): boolean {
  const ref = (value as { $ref?: unknown } | null)?.$ref;
  return (
    typeof ref === 'string' &&
    ref.startsWith(REF) &&
    known[ref.slice(REF.length)] === undefined &&
    ref !== `${REF}HttpPoolError`
  );
}

function loadJsonSchema(): typeof import('class-validator-jsonschema') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('class-validator-jsonschema') as typeof import('class-validator-jsonschema');
  } catch (error) {
    throw new TypeError(
      'Option "openapi": routes declare input classes, and describing them needs class-validator-jsonschema: npm install class-validator-jsonschema',
      { cause: error },
    );
  }
}
