// httppool as the bench's `httppool` server (same controllers, same pool), but
// observed the way it would run in production: info-level access lines to a
// file, and Prometheus metrics at /metrics.
//
// The log goes through httppool's LogFile: pino serializes each line on the
// main thread, as with any pino output, and LogFile encodes it into a buffer
// that goes to the file in one write per event-loop turn. The scenario also
// times pino.destination (sonic-boom, pino's own recipe for the least overhead)
// and fs.createWriteStream per line, in bench/children/log-destination.ts.
// What buffering gives up (the lines of the last turn on a hard crash; they
// are written on a normal exit) is the usual price of file logging.

import 'reflect-metadata';
import { HttpPoolApp, LogFile } from 'httppool';
import pino from 'pino';
import { SampleController } from '../../controllers/sample.controller';
import { UserController } from '../../controllers/user.controller';
import { HoldController } from './hold.controller';
import { serve } from './serve';
import { WorkController } from './work.controller';

serve(async (config) => {
  if (config.logFile === undefined) throw new TypeError('httppool-observed needs config.logFile');
  const logger = pino({ level: 'info' }, new LogFile(config.logFile));
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
