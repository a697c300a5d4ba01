// Startup micro-benchmark, one framework per process (see bench/lib/fork-child.ts):
//   startup <httppool|nest> <controllers> <routes-per-controller>
// makes the controller classes programmatically (the decorators applied as
// functions), bootstraps, and times each step; then listens and requests the
// last route to check the table really holds every route.

import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { childMain } from '../lib/fork-child';

export interface StartupTimes {
  /** Loading the framework's modules. */
  importMs: number;
  /** Making the classes and applying the decorators. */
  defineMs: number;
  /** From bootstrap call to an app ready to listen (routes registered, controllers made). */
  bootstrapMs: number;
  /** Since the process started, at the end of bootstrap. */
  processMs: number;
  heapUsedMiB: number;
  checkedStatus: number;
}

type Handler = (this: unknown) => unknown;

function makeClasses(
  count: number,
  routes: number,
): Array<{ ctor: new () => object; methods: string[]; index: number }> {
  const classes = [];
  for (let c = 0; c < count; c++) {
    const ctor = { [`Controller${c}`]: class {} }[`Controller${c}`] as new () => object;
    const methods: string[] = [];
    for (let r = 0; r < routes; r++) {
      const name = `route${r}`;
      const handler: Handler = function () {
        return { c, r };
      };
      Object.defineProperty(ctor.prototype, name, { value: handler, writable: true, configurable: true });
      methods.push(name);
    }
    classes.push({ ctor, methods, index: c });
  }
  return classes;
}

/**
 * Applies a framework's decorators as functions: `route(path)` on each method,
 * `controller(path)` on each class. `lead` is what paths start with ('/' for
 * httppool, '' for NestJS, which adds its own).
 */
function decorate(
  classes: ReturnType<typeof makeClasses>,
  route: (path: string) => MethodDecorator,
  controller: (path: string) => ClassDecorator,
  lead: string,
): void {
  for (const { ctor, methods, index } of classes) {
    for (const [r, name] of methods.entries()) {
      route(`${lead}r${r}`)(ctor.prototype, name, Object.getOwnPropertyDescriptor(ctor.prototype, name)!);
    }
    controller(`${lead}c${index}`)(ctor);
  }
}

async function check(port: number, path: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  await response.arrayBuffer();
  return response.status;
}

async function httppool(count: number, routes: number): Promise<StartupTimes> {
  let t = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Controller, Get, HttpPoolApp } = require('httppool') as typeof import('httppool');
  const importMs = performance.now() - t;
  t = performance.now();
  const classes = makeClasses(count, routes);
  decorate(classes, Get, Controller, '/');
  const defineMs = performance.now() - t;
  t = performance.now();
  const app = await HttpPoolApp.bootstrap({ controllers: classes.map(({ ctor }) => ctor), logger: false });
  const bootstrapMs = performance.now() - t;
  const processMs = performance.now();
  const heapUsedMiB = process.memoryUsage().heapUsed / 2 ** 20;
  const { port } = await app.listen(0, '127.0.0.1');
  const checkedStatus = await check(port, `/c${count - 1}/r${routes - 1}`);
  await app.close();
  return { importMs, defineMs, bootstrapMs, processMs, heapUsedMiB, checkedStatus };
}

async function nest(count: number, routes: number): Promise<StartupTimes> {
  let t = performance.now();
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Controller, Get, Module } = require('@nestjs/common') as typeof import('@nestjs/common');
  const { NestFactory } = require('@nestjs/core') as typeof import('@nestjs/core');
  const { FastifyAdapter } = require('@nestjs/platform-fastify') as typeof import('@nestjs/platform-fastify');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const importMs = performance.now() - t;
  t = performance.now();
  const classes = makeClasses(count, routes);
  decorate(classes, Get, Controller, '');
  class AppModule {}
  Module({ controllers: classes.map(({ ctor }) => ctor) })(AppModule);
  const defineMs = performance.now() - t;
  t = performance.now();
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
  await app.init();
  const bootstrapMs = performance.now() - t;
  const processMs = performance.now();
  const heapUsedMiB = process.memoryUsage().heapUsed / 2 ** 20;
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const checkedStatus = await check(port, `/c${count - 1}/r${routes - 1}`);
  await app.close();
  return { importMs, defineMs, bootstrapMs, processMs, heapUsedMiB, checkedStatus };
}

childMain(async ([impl, countArg, routesArg]) => {
  const count = Number(countArg);
  const routes = Number(routesArg);
  if (impl === 'httppool') return httppool(count, routes);
  if (impl === 'nest') return nest(count, routes);
  throw new TypeError(`unknown framework ${String(impl)}`);
});
