// The overload scenario's routes for httppool: 1 ms of CPU then a 10 ms wait, and a 5 ms wait.

import { Controller, Get } from 'httppool';
import { doWork, waitBriefly } from './work';

@Controller()
export class WorkController {
  @Get('/work')
  work(): Promise<{ ok: true }> {
    return doWork();
  }

  @Get('/brief')
  brief(): Promise<{ ok: true }> {
    return waitBriefly();
  }
}
