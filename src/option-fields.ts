// An option that is an object of positive whole numbers with defaults
// (`respawn`, `inputLimits`, `codel`): every field checked, the unknown
// refused, each error naming `option.field`.

export function checkPositiveFields<T extends Record<string, number>>(option: string, value: unknown, defaults: T): T {
  if (value === undefined) return { ...defaults };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`Option "${option}" must be an object: { ${Object.keys(defaults).join(', ')} }`);
  }
  const resolved: Record<string, number> = { ...defaults };
  for (const [key, given] of Object.entries(value as Record<string, unknown>)) {
    if (!Object.hasOwn(defaults, key)) throw new TypeError(`Unknown option "${option}.${key}"`);
    if (typeof given !== 'number' || !Number.isSafeInteger(given) || given < 1) {
      throw new RangeError(`Option "${option}.${key}" must be a positive integer, got ${String(given)}`);
    }
    resolved[key] = given;
  }
  return resolved as T;
}
