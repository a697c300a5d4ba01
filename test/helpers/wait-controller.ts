// GET /wait/:ms answers 'done' after waiting that long: a job whose run time a test chooses.

import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get } from '../../src/index';

@Controller()
export class WaitController {
  @Get('/wait/:ms')
  async wait(_res: unknown, req: { params: { ms: string } }): Promise<string> {
    await sleep(Number(req.params.ms));
    return 'done';
  }
}
