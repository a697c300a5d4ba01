// The Go original's example, ported: one controller, 300 workers, a queue of
// 100, listening on port 9000.

import 'reflect-metadata';
import {
  Controller,
  HttpPoolApp,
  Route,
  type HttpPoolOptions,
  type Complete,
  type HttpRequest,
  type HttpResponse,
} from 'httppool';

@Controller()
export class TestController {
  @Route('/test')
  test(res: HttpResponse, _req: HttpRequest, complete: Complete): void {
    res.end('<html></head><title>Sample test page</title></head><body><h4>Welcome to sample page</h4></body></html>');
    complete();
  }
}

export async function main(
  port = Number(process.env.PORT ?? 9000),
  logger: HttpPoolOptions['logger'] = {},
): Promise<HttpPoolApp> {
  const app = await HttpPoolApp.bootstrap({ controllers: [TestController], workers: 300, queueSize: 100, logger });
  await app.listen(port, '127.0.0.1');
  return app;
}

if (require.main === module) {
  main().then(
    (app) => console.log(`listening on`, app.server.address()),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
