import { expect } from 'chai';
import pino, { type Level, type LoggerOptions } from 'pino';
import { AccessLog, type AccessFields } from '../../src/observe/access-log';

/** A pino destination that keeps what it is given. */
function capture(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line: string) => lines.push(line) };
}

// A fixed clock so two lines written at different moments can be compared.
const FIXED_TIME = { timestamp: () => ',"time":1700000000000' };

function fields(overrides: Partial<AccessFields> = {}): AccessFields {
  return {
    reqId: 'b1c2-0001',
    method: 'GET',
    url: '/users/1?x=2',
    route: '/users/:id',
    status: 200,
    ms: 1.234,
    queueMs: 0.01,
    runMs: 1.1,
    ...overrides,
  };
}

/**
 * The line AccessLog writes and the one pino writes for the same fields, and
 * whether AccessLog handed its line to pino's log method.
 */
function bothWays(
  options: LoggerOptions,
  f: AccessFields,
  level: Level = 'info',
): { direct: string; viaPino: string; handedToPino: boolean } {
  const direct = capture();
  const logger = pino(options, direct);
  let handedToPino = false;
  const logMethod = logger[level].bind(logger);
  logger[level] = ((...args: Parameters<typeof logMethod>) => {
    handedToPino = true;
    logMethod(...args);
  }) as typeof logMethod;
  new AccessLog(logger).write(level, f);
  const viaPino = capture();
  pino(options, viaPino)[level](f, 'request');
  return { direct: direct.lines.join(''), viaPino: viaPino.lines.join(''), handedToPino };
}

const awkward: Array<[string, Partial<AccessFields>]> = [
  ['a quote and a backslash', { url: '/a"b\\c' }],
  ['control characters', { url: '/a\u0001b\tc\n' }],
  ['non-ASCII text', { url: '/caf\u00e9/\u65e5\u672c', reqId: 'id-\u00fc' }],
  ['a long url', { url: '/' + 'x'.repeat(300) + '?q="1"' }],
  ['a request that never ran', { queueMs: undefined, runMs: undefined, status: 503 }],
  ['a negative zero and integers', { ms: -0, queueMs: 0, runMs: 3 }],
];

describe('AccessLog', () => {
  for (const [what, overrides] of awkward) {
    it(`writes the same line as pino for ${what}`, () => {
      const { direct, viaPino, handedToPino } = bothWays({ level: 'info', ...FIXED_TIME }, fields(overrides));
      expect(handedToPino).to.equal(false);
      expect(direct).to.equal(viaPino);
      expect(JSON.parse(direct)).to.include({ msg: 'request', method: 'GET' });
    });
  }

  const configurations: Array<[string, LoggerOptions]> = [
    ['a level formatter that writes labels', { formatters: { level: (label) => ({ level: label }) } }],
    ['custom base bindings', { base: { service: 'api', region: 'eu' } }],
    ['no base', { base: null }],
    ['a custom message key', { messageKey: 'message' }],
    ['CRLF line ends', { crlf: true }],
    ['a redaction path outside the line', { redact: ['req.headers.authorization'] }],
    ['a serializer for another key', { serializers: { user: () => 'x' } }],
  ];
  for (const [what, options] of configurations) {
    it(`honours ${what} as pino does`, () => {
      const { direct, viaPino, handedToPino } = bothWays({ level: 'info', ...FIXED_TIME, ...options }, fields());
      expect(handedToPino).to.equal(false);
      expect(direct).to.equal(viaPino);
    });
  }

  it('writes at warn with the warn level number, and a child logger keeps its bindings', () => {
    const direct = capture();
    new AccessLog(pino({ level: 'info', ...FIXED_TIME }, direct).child({ app: 'one' })).write('warn', fields());
    const line = JSON.parse(direct.lines[0] as string) as Record<string, unknown>;
    expect(line).to.include({ level: 40, app: 'one', status: 200 });
  });

  const pinoMustWrite: Array<[string, LoggerOptions, (line: Record<string, unknown>) => void]> = [
    ['redaction of a line field', { redact: ['url'] }, (line) => expect(line['url']).to.equal('[Redacted]')],
    ['a wildcard redaction', { redact: ['*.secret'] }, (line) => expect(line['url']).to.equal('/users/1?x=2')],
    [
      'a serializer for a line field',
      { serializers: { route: (route: string) => route.toUpperCase() } },
      (line) => expect(line['route']).to.equal('/USERS/:ID'),
    ],
    [
      'a log formatter',
      { formatters: { log: (object) => ({ ...object, extra: true }) } },
      (line) => expect(line['extra']).to.equal(true),
    ],
    ['a mixin', { mixin: () => ({ traceId: 't1' }) }, (line) => expect(line['traceId']).to.equal('t1')],
    ['a nested key', { nestedKey: 'payload' }, (line) => expect(line['payload']).to.include({ status: 200 })],
    ['a message prefix', { msgPrefix: '[http] ' }, (line) => expect(line['msg']).to.equal('[http] request')],
  ];
  for (const [what, options, check] of pinoMustWrite) {
    it(`leaves the line to pino when the logger has ${what}`, () => {
      const { direct, viaPino, handedToPino } = bothWays({ level: 'info', ...FIXED_TIME, ...options }, fields());
      expect(handedToPino).to.equal(true);
      expect(direct).to.equal(viaPino);
      check(JSON.parse(direct) as Record<string, unknown>);
    });
  }

  it('says whether a level is enabled, following the logger as it changes', () => {
    const logger = pino({ level: 'warn' }, capture());
    const log = new AccessLog(logger);
    expect(log.enabled('info')).to.equal(false);
    expect(log.enabled('warn')).to.equal(true);
    logger.level = 'info';
    expect(log.enabled('info')).to.equal(true);
  });
});
