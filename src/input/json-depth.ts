// How deep a parsed JSON body nests, checked before class-transformer walks it.
//
// JSON.parse takes any depth, but class-transformer and class-validator
// recurse once per level: about 1,500 levels of `[` (3 KB of body) overflow
// the stack, a 500 with a stack trace logged for each such request. No real
// payload comes near the limit; the check is a loop with its own stack.

/** Deepest nesting a declared body may have: `{}` and `[]` at the top are level 1. */
export const MAX_JSON_DEPTH = 128;

/**
 * True when `value` (as JSON.parse made it) nests objects or arrays deeper
 * than `limit`. `byteLength`, the text's size, skips the walk for bodies too
 * short to hold that many brackets.
 *
 * @example
 * nestedDeeperThan(JSON.parse('{"a":[[1]]}'), 2); // true: three levels
 */
export function nestedDeeperThan(value: object, limit: number, byteLength = Infinity): boolean {
  // Nesting past `limit` takes limit + 1 opening brackets and as many closing ones.
  if (byteLength < 2 * (limit + 1)) return false;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const current = values.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    const children: unknown[] = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
