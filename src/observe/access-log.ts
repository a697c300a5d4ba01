// AccessLog: writes the one access line each request leaves, byte for byte
// the line pino would write, without pino's general serializer.
//
// pino builds a line as its cached level prefix + its time string + the
// logger's bindings + each field of the object + the message + its line end,
// and walks the object checking serializers, redaction and types per field:
// ~2 µs per access line, as much as the rest of a hello request's overhead.
// The access line's fields are fixed, so here they are concatenated directly
// (~0.7 µs) between the same pino pieces, read from the logger through its
// published symbols: level formatters, timestamps, `base`, child bindings and
// the destination all behave as in pino.
//
// Whatever could change a field is pino's to apply: a `formatters.log`, a
// mixin, hooks, a nested key, a message prefix, a destination that needs
// metadata (multistream), or a serializer or redaction path naming one of the
// line's fields. With any of those the line goes through pino as before.

import pino, { type Level, type Logger } from 'pino';

/** The fields of an access line, in the order they are written. */
export interface AccessFields {
  reqId: string;
  method: string;
  url: string;
  route: string;
  status: number;
  ms: number;
  /** Absent (with runMs) for a request that never ran. */
  queueMs: number | undefined;
  runMs: number | undefined;
}

const FIELDS: readonly (keyof AccessFields)[] = ['reqId', 'method', 'url', 'route', 'status', 'ms', 'queueMs', 'runMs'];

const MESSAGE = 'request';

const {
  lsCacheSym,
  timeSym,
  chindingsSym,
  endSym,
  streamSym,
  formattersSym,
  mixinSym,
  hooksSym,
  nestedKeySym,
  msgPrefixSym,
  serializersSym,
  stringifiersSym,
  messageKeySym,
  needsMetadataGsym,
  wildcardFirstSym,
} = pino.symbols as unknown as Record<string, symbol>;

/** pino's internals that the line is built from, as the logger holds them. */
type PinoParts = Record<symbol, unknown>;

export class AccessLog {
  /** The line's text up to its message key, or undefined when pino must write it. */
  private readonly messagePart: string | undefined;

  constructor(private readonly logger: Logger) {
    this.messagePart = canWriteDirectly(logger)
      ? `,${JSON.stringify(parts(logger)[messageKeySym])}:"${MESSAGE}"`
      : undefined;
  }

  /** Whether a line at `level` would be written: ask first, so a disabled log costs no clock read. */
  enabled(level: Level): boolean {
    return this.logger.isLevelEnabled(level);
  }

  /** Writes the access line at `level`, which the caller checked is enabled. */
  write(level: Level, fields: AccessFields): void {
    const logger = this.logger;
    const levelNumber = logger.levels.values[level];
    if (this.messagePart === undefined || levelNumber === undefined) {
      logger[level](fields, MESSAGE);
      return;
    }
    const p = parts(logger);
    const prefix = (p[lsCacheSym] as Record<number, string>)[levelNumber];
    const time = (p[timeSym] as () => string)();
    let line = prefix + time + (p[chindingsSym] as string);
    line += ',"reqId":' + jsonString(fields.reqId);
    line += ',"method":' + jsonString(fields.method);
    line += ',"url":' + jsonString(fields.url);
    line += ',"route":' + jsonString(fields.route);
    line += ',"status":' + fields.status + ',"ms":' + fields.ms;
    if (fields.queueMs !== undefined) line += ',"queueMs":' + fields.queueMs;
    if (fields.runMs !== undefined) line += ',"runMs":' + fields.runMs;
    (p[streamSym] as { write(line: string): unknown }).write(line + this.messagePart + (p[endSym] as string));
  }
}

function parts(logger: Logger): PinoParts {
  return logger as unknown as PinoParts;
}

/** True when pino would write the access fields as they are, so the line may be built here. */
function canWriteDirectly(logger: Logger): boolean {
  const p = parts(logger);
  const formatters = p[formattersSym] as { log?: unknown } | undefined;
  const hooks = p[hooksSym] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  const serializers = (p[serializersSym] ?? {}) as Record<string, unknown>;
  const stringifiers = (p[stringifiersSym] ?? {}) as Record<string | symbol, unknown>;
  const stream = p[streamSym] as Record<symbol, unknown> | undefined;
  return (
    typeof p[lsCacheSym] === 'object' &&
    typeof p[timeSym] === 'function' &&
    typeof p[chindingsSym] === 'string' &&
    typeof p[endSym] === 'string' &&
    typeof p[messageKeySym] === 'string' &&
    formatters?.log === undefined &&
    p[mixinSym] === undefined &&
    hooks?.logMethod === undefined &&
    hooks?.streamWrite === undefined &&
    !p[nestedKeySym] &&
    p[msgPrefixSym] === undefined &&
    stream !== undefined &&
    typeof (stream as { write?: unknown }).write === 'function' &&
    stream[needsMetadataGsym] !== true &&
    serializers[p[messageKeySym] as string] === undefined &&
    // Redaction lives in `stringifiers`: a path under a field, or a wildcard one.
    stringifiers[wildcardFirstSym as symbol] === undefined &&
    FIELDS.every((field) => serializers[field] === undefined && stringifiers[field] === undefined)
  );
}

// Printable ASCII other than `"` and `\`: the string is its own JSON body.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function jsonString(value: string): string {
  return PLAIN.test(value) ? '"' + value + '"' : JSON.stringify(value);
}
