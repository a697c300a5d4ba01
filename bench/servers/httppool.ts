// httppool, as a user would run it: the demo's controllers (the sample page,
// the users API) plus the overload route, through the pool, logging off.

import 'reflect-metadata';
import { HttpPoolApp } from 'httppool';
import { SampleController } from '../../controllers/sample.controller';
import { UserController } from '../../controllers/user.controller';
import { HoldController } from './hold.controller';
import { serve } from './serve';
import { WorkController } from './work.controller';

serve(async (config) => {
  const app = await HttpPoolApp.bootstrap({
    controllers: [SampleController, UserController, WorkController, HoldController],
    // The Go example's sizing unless the scenario sizes the pool to its bottleneck.
    workers: config.workers ?? 300,
    queueSize: config.queueSize ?? 100,
    codel: config.codel ?? false,
    ...(config.holdShed === undefined ? {} : { holdShedConnections: config.holdShed }),
    ...(config.backlog === undefined ? {} : { backlog: config.backlog }),
    logger: false,
  });
  const address = await app.listen(0, '127.0.0.1');
  return { address, close: () => app.close(), stats: () => app.stats() };
});
