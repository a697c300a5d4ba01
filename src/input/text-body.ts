// A text body (`text/*`) → a string, decoded by its charset (UTF-8 when none).

import { TextDecoder } from 'node:util';
import { UnsupportedMediaTypeError } from '../errors';
import { charsetOf } from './body-kinds';

export function decodeText(raw: Buffer, contentType: string): string {
  const charset = charsetOf(contentType) ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    throw new UnsupportedMediaTypeError(contentType, ['text/* in a charset this server can decode']);
  }
  return decoder.decode(raw);
}
