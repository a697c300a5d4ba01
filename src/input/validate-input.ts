// A plain object checked against a class: class-transformer makes the
// instance, class-validator checks it. Both load on first use, by a route
// that declares input: loading class-validator takes ~150 ms, and an app
// without validated routes should neither pay that at startup nor need them.

import type { ClassTransformOptions } from 'class-transformer';
import type { ValidatorOptions } from 'class-validator';
import { InputValidationError, type InputLocation } from '../errors';
import type { Constructor } from '../routing/route-metadata';
import { toInputViolations } from './input-violations';

// JSON already has types: converting would let `"age": "42"` pass as a number.
export const KEEP_JSON_TYPES: ClassTransformOptions = { enableImplicitConversion: false };
// Query, path and form values are always strings: convert to the declared property types.
export const CONVERT_STRINGS: ClassTransformOptions = { enableImplicitConversion: true };

export async function checkInput(
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

let classTransformer: typeof import('class-transformer') | undefined;
let classValidator: typeof import('class-validator') | undefined;

function loadTransformer(): typeof import('class-transformer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (classTransformer ??= require('class-transformer') as typeof import('class-transformer'));
}

export function loadValidator(): typeof import('class-validator') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (classValidator ??= require('class-validator') as typeof import('class-validator'));
}
