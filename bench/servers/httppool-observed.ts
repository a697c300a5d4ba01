// httppool as the bench's `httppool` server (same controllers, same pool), but
// observed the way it would run in production: info-level access lines to a
// file, and Prometheus metrics at /metrics.
//
// The log goes through pino.destination({ sync: false, minLength: 4096 }),
// pino's own recipe for the least overhead (docs/asynchronous.md): lines are
// serialized on the main thread, as with any pino output, then buffered and
// written in chunks by sonic-boom on libuv's thread pool. pino's file
// transport (`pino.transport({ target: 'pino/file' })`) would hand every line
// to a worker thread over a shared buffer, only for that thread to do the same
// file writes: an extra copy and an extra thread (on a 2-core machine, one
// competing with the load generator) for nothing, since there is no
// formatting or shipping to move off the main thread. Transports are for
// pino-pretty or sending logs elsewhere. What sync: false gives up (the last
// ≤ 4 KiB of lines on a hard crash; pino flushes them on a normal exit) is the
// usual price of file logging in production.

import 'reflect-metadata';
import { HttpPoolApp } from 'httppool';
import pino from 'pino';
import { SampleController } from '../../controllers/sample.controller';
import { UserController } from '../../controllers/user.controller';
import { HoldController } from './hold.controller';
import { serve } from './serve';
import { LOG_MIN_LENGTH } from './work';
import { WorkController } from './work.controller';

serve(async (config) => {
  if (config.logFile === undefined) throw new TypeError('httppool-observed needs config.logFile');
  const destination = pino.destination({ dest: config.logFile, sync: false, minLength: LOG_MIN_LENGTH });
  const logger = pino({ level: 'info' }, destination);
  const app = await HttpPoolApp.bootstrap({
    controllers: [SampleController, UserController, WorkController, HoldController],
    workers: config.workers ?? 300,
    queueSize: config.queueSize ?? 100,
    logger,
    metrics: true,
  });
  const address = await app.listen(0, '127.0.0.1');
  return {
    address,
    // Every buffered line reaches the file before the parent counts them.
    close: async () => {
      await app.close();
      await new Promise<void>((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve())));
    },
    stats: () => app.stats(),
  };
});
