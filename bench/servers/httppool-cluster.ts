// The cpu scenario's app, inline, in `config.processes` processes sharing the
// port (runCluster). This process is the primary, which the bench talks to;
// the processes it forks run the same script and serve.

import cluster from 'node:cluster';
import { runCluster } from 'httppool';
import { startCpuApp } from './cpu-app';
import { serve } from './serve';

const start = () => startCpuApp(0);

if (cluster.isPrimary) {
  serve(async (config) => {
    const { primary } = await runCluster({ processes: config.processes ?? 2, start, logger: false });
    if (primary === undefined) throw new Error('runCluster gave the primary no handle');
    const port = primary.port as number;
    return { address: { address: '127.0.0.1', family: 'IPv4', port }, close: () => primary.close() };
  });
} else {
  void runCluster({ start });
}
