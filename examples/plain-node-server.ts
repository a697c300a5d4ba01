// Glue httppool into a node http server you already have, as the Go
// original's example did with http.HandleFunc: your server keeps its own
// paths and hands the rest to `app.dispatch`.

import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { Controller, Get, HttpPoolApp, type HttpPoolOptions, type HttpRequest, type HttpResponse } from 'httppool';

@Controller('/pooled')
export class PooledController {
  @Get('/hello/:name')
  hello(_res: HttpResponse, req: HttpRequest): { hello: string } {
    return { hello: req.params.name as string };
  }
}

export async function main(
  port = Number(process.env.PORT ?? 9000),
  logger: HttpPoolOptions['logger'] = {},
): Promise<{ server: Server; app: HttpPoolApp }> {
  const app = await HttpPoolApp.bootstrap({ controllers: [PooledController], workers: 16, queueSize: 64, logger });
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      res.end('ok');
      return;
    }
    app.dispatch(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, app };
}

if (require.main === module) {
  main().then(
    ({ server }) => console.log('listening on', server.address()),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
