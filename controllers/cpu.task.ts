// The thread task behind GET /cpu: runs in a worker thread, never on the event loop.

import type { ThreadRequest } from 'httppool';
import { spin } from './spin';

export default function cpu(request: ThreadRequest) {
  return { body: spin(Number(request.query['ms'])) };
}
