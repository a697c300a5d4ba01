// Fills in nginx.conf.template: where nginx listens, the instances of the
// upstream, and a folder of its own for its pid, log and temp files.

import fs from 'node:fs';
import path from 'node:path';

export interface NginxConfig {
  /** `host:port` nginx listens on. */
  listen: string;
  /** `host:port` of each httppool instance. */
  servers: readonly string[];
  /** A writable folder for nginx's pid, error log and temp files. */
  prefix: string;
}

// Next to the compiled file in dist/examples/nginx, the template stays in examples/nginx.
const TEMPLATE = path.join(__dirname, '..', '..', '..', 'examples', 'nginx', 'nginx.conf.template');

export function renderNginxConfig(config: NginxConfig): string {
  const servers = config.servers.map((server) => `server ${server} max_fails=3 fail_timeout=2s;`).join('\n        ');
  // As root, nginx's workers would switch to `nobody`, who cannot write the temp folders.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return fs
    .readFileSync(TEMPLATE, 'utf8')
    .replaceAll('{{prefix}}', config.prefix)
    .replaceAll('{{listen}}', config.listen)
    .replaceAll('{{servers}}', servers)
    .replaceAll('{{user}}', user);
}
