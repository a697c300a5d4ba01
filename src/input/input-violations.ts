// class-validator's errors → the `details` of an InputValidationError.

import type { ValidationError as ClassValidatorError } from 'class-validator';
import type { InputViolation } from '../errors';

/**
 * One entry per failing property, nested objects and array items as
 * `children`; only names and messages, so nothing the client sent is echoed.
 *
 * @example
 * toInputViolations(await validate(user)); // [{ property: 'name', constraints: { isString: 'name must be a string' } }]
 */
export function toInputViolations(errors: readonly ClassValidatorError[]): InputViolation[] {
  return errors.map((error) => {
    const violation: InputViolation = { property: error.property, constraints: { ...error.constraints } };
    if (error.children !== undefined && error.children.length > 0)
      violation.children = toInputViolations(error.children);
    return violation;
  });
}
