// httppool with a CPU-bound route, inline on the event loop or on worker
// threads (config.threads), and a /ping beside it, in one process.

import type { AddressInfo } from 'node:net';
import { startCpuApp } from './cpu-app';
import { serve } from './serve';

serve(async (config) => {
  const app = await startCpuApp(config.threads ?? 0);
  const address = app.server.address() as AddressInfo;
  return { address, close: () => app.close(), stats: () => app.stats() };
});
