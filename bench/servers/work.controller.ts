// The overload scenario's route for httppool: 1 ms of CPU, then a 10 ms wait.

import { Controller, Get } from 'httppool';
import { doWork } from './work';

@Controller()
export class WorkController {
  @Get('/work')
  work(): Promise<{ ok: true }> {
    return doWork();
  }
}
