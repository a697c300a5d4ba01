// httppool's static mount on the static scenario's folder, with its defaults
// (memory cache, precomputed brotli and gzip variants), logging off; the
// sample page's controller beside it, as in an app with routes.

import 'reflect-metadata';
import { HttpPoolApp } from 'httppool';
import { SampleController } from '../../controllers/sample.controller';
import { serve } from './serve';

serve(async (config) => {
  if (config.staticRoot === undefined) throw new TypeError('static-httppool needs config.staticRoot');
  const app = await HttpPoolApp.bootstrap({
    controllers: [SampleController],
    static: [{ prefix: '/public', root: config.staticRoot }],
    logger: false,
  });
  const address = await app.listen(0, '127.0.0.1');
  return { address, close: () => app.close(), stats: () => app.stats().static };
});
