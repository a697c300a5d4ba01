// The kinds of body a route can declare, and which one a Content-Type is.
//
//   json       application/json, application/*+json (UTF-8)
//   form       application/x-www-form-urlencoded (UTF-8)
//   multipart  multipart/form-data (with a boundary)
//   text       text/* (any charset node's TextDecoder knows)

import { isJsonMediaType } from './json-media-type';

export type BodyKind = 'json' | 'form' | 'multipart' | 'text';

/** What each kind tells a client whose Content-Type it refused. */
export const MEDIA_TYPES: Record<BodyKind, string> = {
  json: 'application/json (or a +json type), in UTF-8',
  form: 'application/x-www-form-urlencoded, in UTF-8',
  multipart: 'multipart/form-data',
  text: 'text/*',
};

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/** The body kind of a Content-Type, or `undefined` for one httppool does not read. */
export function bodyKindOf(contentType: string | undefined): BodyKind | undefined {
  if (contentType === undefined) return undefined;
  if (isJsonMediaType(contentType)) return 'json';
  const semicolon = contentType.indexOf(';');
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const charset = charsetOf(contentType);
    return charset === undefined || charset === 'utf-8' || charset === 'utf8' ? 'form' : undefined;
  }
  if (type === 'multipart/form-data') return 'multipart';
  if (type.startsWith('text/')) return 'text';
  return undefined;
}

/** The `charset` parameter of a Content-Type, lower-cased. */
export function charsetOf(contentType: string): string | undefined {
  const semicolon = contentType.indexOf(';');
  return semicolon < 0 ? undefined : CHARSET.exec(contentType.slice(semicolon))?.[1]?.toLowerCase();
}
