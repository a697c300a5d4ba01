// Whether a Content-Type header names a JSON body we can decode.

// `charset=utf-8`, `charset="UTF8"`, …: the one parameter that changes how the bytes decode.
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * True for `application/json` and `application/<anything>+json` (RFC 6839),
 * with no charset or a UTF-8 one: JSON on the wire is UTF-8 (RFC 8259 §8.1),
 * and a body labelled otherwise would be decoded wrongly rather than refused.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (type !== 'application/json' && !(type.startsWith('application/') && type.endsWith('+json'))) return false;
  if (semicolon < 0) return true;
  const charset = CHARSET.exec(contentType.slice(semicolon))?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}
