// The cpu scenario's hardware check, one process (see bench/lib/fork-child.ts):
//   cpu-spin <ms>
// runs the /cpu route's pbkdf2 back to back for `ms` with no HTTP at all and
// sends how many it finished. Two at once, against one, is how far this
// machine's cores scale on the work itself.

import { cpuWork } from '../servers/cpu-work';
import { childMain } from '../lib/fork-child';

childMain(([ms = '2000']) => {
  const end = performance.now() + Number(ms);
  let done = 0;
  while (performance.now() < end) {
    cpuWork();
    done++;
  }
  return done;
});
