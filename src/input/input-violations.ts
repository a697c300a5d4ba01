// class-validator's errors → the `details` of an InputValidationError.

import type { ValidationError as ClassValidatorError } from 'class-validator';
import type { InputViolation } from '../errors';

/**
 * Stands for the properties the client sent and the class does not declare
 * (`unknownProperties: 'reject'`): their names are the client's text, so they
 * are never repeated, however many there are.
 */
export const UNDECLARED = '(undeclared)';

const UNDECLARED_VIOLATION: InputViolation = {
  property: UNDECLARED,
  constraints: { whitelistValidation: 'properties the class does not declare are not allowed' },
};

/**
 * One entry per failing property, nested objects and array items as
 * `children`; only names and messages, so nothing the client sent is echoed:
 * declared properties by name, array items by index, the entries of a Map by
 * their position (its keys are the client's), and the undeclared properties
 * of one object as one `(undeclared)` entry.
 *
 * @example
 * toInputViolations(await validate(user)); // [{ property: 'name', constraints: { isString: 'name must be a string' } }]
 */
export function toInputViolations(errors: readonly ClassValidatorError[]): InputViolation[] {
  const violations: InputViolation[] = [];
  let undeclared = false;
  for (const error of errors) {
    if (error.constraints?.['whitelistValidation'] !== undefined) {
      // class-validator reports an undeclared property alone, with only this constraint.
      if (!undeclared)
        violations.push({ ...UNDECLARED_VIOLATION, constraints: { ...UNDECLARED_VIOLATION.constraints } });
      undeclared = true;
      continue;
    }
    const violation: InputViolation = { property: propertyName(error), constraints: { ...error.constraints } };
    if (error.children !== undefined && error.children.length > 0)
      violation.children = toInputViolations(error.children);
    violations.push(violation);
  }
  return violations;
}

// A Map's entries come with the client's keys as their property: name them by position instead.
function propertyName(error: ClassValidatorError): string {
  const target: unknown = error.target;
  if (!(target instanceof Map)) return error.property;
  let position = 0;
  for (const key of target.keys()) {
    if (String(key) === error.property) return String(position);
    position++;
  }
  return '';
}
