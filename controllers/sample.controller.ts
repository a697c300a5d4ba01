// The Go original's sample page, served the Go way: write, then complete().

import { Controller, Route, type Complete, type HttpRequest, type HttpResponse } from 'httppool';

export const SAMPLE_PAGE =
  '<html></head><title>Sample test page</title></head><body><h4>Welcome to sample page</h4></body></html>';

@Controller()
export class SampleController {
  @Route('/test')
  test(res: HttpResponse, _req: HttpRequest, complete: Complete): void {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(SAMPLE_PAGE);
    complete();
  }
}
