// One httppool instance of the nginx example: NAME, HOST and PORT from the
// environment (PORT 0 picks one), and its pool's size (WORKERS, default 16;
// QUEUE, default 64), which a test makes small to saturate it. It prints one JSON line once it listens, and on SIGTERM
// hands its connections over and drains.

import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { Controller, Get, HttpPoolApp, Post, type HttpRequest } from 'httppool';

const NAME = process.env.NAME ?? 'instance';

@Controller()
class InstanceController {
  @Get('/whoami')
  whoami(): { name: string } {
    return { name: NAME };
  }

  /** Holds a worker for `ms`: how the test saturates an instance. */
  @Get('/work')
  async work(_res: unknown, req: HttpRequest): Promise<{ name: string }> {
    await sleep(Number(req.query.ms ?? 10));
    return { name: NAME };
  }

  @Post('/echo')
  echo(_res: unknown, req: HttpRequest): { name: string; body: unknown } {
    return { name: NAME, body: req.body };
  }
}

async function main(): Promise<void> {
  const app = await HttpPoolApp.bootstrap({
    controllers: [InstanceController],
    workers: Number(process.env.WORKERS ?? 16),
    queueSize: Number(process.env.QUEUE ?? 64),
    logger: false,
    health: true,
    shutdownSignals: true,
    // Behind nginx another instance always takes the traffic: hand the
    // upstream keep-alive connections over instead of refusing their requests.
    shutdownHandoffMs: 6000,
  });
  const address: AddressInfo = await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
  console.log(JSON.stringify({ name: NAME, host: address.address, port: address.port, pid: process.pid }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
