// Makes the app's pino logger from the `logger` option.

import pino, { type Logger, type LoggerOptions } from 'pino';

export function createLogger(option: Logger | LoggerOptions | false): Logger {
  if (option === false) return pino({ enabled: false });
  if (isLogger(option)) return option;
  return pino(option);
}

function isLogger(value: Logger | LoggerOptions): value is Logger {
  return typeof (value as Logger).child === 'function' && typeof (value as Logger).info === 'function';
}
