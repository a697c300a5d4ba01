// A route that holds its worker and never answers (until the handler
// deadline): with one worker and a queue of one, every later request is shed,
// so a load run on it measures what a 503 costs.

import { Controller, Get, type Complete, type HttpRequest, type HttpResponse } from 'httppool';

@Controller()
export class HoldController {
  @Get('/hold')
  hold(_res: HttpResponse, _req: HttpRequest, _complete: Complete): void {
    // Declares `complete` and never calls it.
  }
}
