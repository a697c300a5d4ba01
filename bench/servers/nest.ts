// NestJS 11 on its fastify adapter: the decorator-and-DI framework our users
// would otherwise pick, in its fastest configuration. Logging off.

import 'reflect-metadata';
import { Controller, Get, Header, Injectable, Module, NotFoundException, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { serve } from './serve';
import { HTML, SAMPLE_PAGE, doWork, users } from './work';
import type { User } from '../../controllers/user.service';

@Injectable()
class UsersProvider {
  find(id: string): User | undefined {
    return users.find(id);
  }
}

@Controller()
class BenchController {
  constructor(private readonly users: UsersProvider) {}

  @Get('test')
  @Header('content-type', HTML)
  test(): string {
    return SAMPLE_PAGE;
  }

  @Get('api/users/:id')
  user(@Param('id') id: string): User {
    const user = this.users.find(id);
    if (user === undefined) throw new NotFoundException('no such user');
    return user;
  }

  @Get('work')
  work(): Promise<{ ok: true }> {
    return doWork();
  }
}

@Module({ controllers: [BenchController], providers: [UsersProvider] })
class BenchModule {}

serve(async () => {
  const app = await NestFactory.create<NestFastifyApplication>(BenchModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  return { address: app.getHttpServer().address() as AddressInfo, close: () => app.close() };
});
