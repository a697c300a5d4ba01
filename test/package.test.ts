// The packed tarball works for a consumer: ESM import, require, and types.
//
// `npm pack` the built package, unpack it into a temporary consumer's
// node_modules next to links to the repo's own dependencies (no network), and
// run small ESM, CommonJS and TypeScript consumers against it.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

const ESM_CONSUMER = `
import 'reflect-metadata';
import { HttpPoolApp, Controller, Get, WorkerPool, JobQueue, HttpError } from 'httppool';

class Hello {
  hi(res, req) { return { hi: req.params.name }; }
}
Get('/hi/:name')(Hello.prototype, 'hi', Object.getOwnPropertyDescriptor(Hello.prototype, 'hi'));
Controller()(Hello);

const app = await HttpPoolApp.bootstrap({ controllers: [Hello], logger: false });
const { port } = await app.listen(0, '127.0.0.1');
const body = await (await fetch('http://127.0.0.1:' + port + '/hi/esm')).json();
await app.close();
console.log(JSON.stringify({ body, pool: typeof WorkerPool, queue: typeof JobQueue, error: typeof HttpError }));
`;

const CJS_CONSUMER = `
require('reflect-metadata');
const httppool = require('httppool');
console.log(JSON.stringify(Object.keys(httppool).sort()));
`;

const TS_CONSUMER = `
import 'reflect-metadata';
import { Controller, Get, HttpPoolApp, WorkerPool, type HttpRequest, type HttpResponse } from 'httppool';

@Controller('/api')
export class UserController {
  constructor(private readonly pool: WorkerPool) {}
  @Get('/users/:id')
  user(_res: HttpResponse, req: HttpRequest): { id: string; busy: number } {
    return { id: req.params.id as string, busy: this.pool.stats().busy };
  }
}

export const app: Promise<HttpPoolApp> = HttpPoolApp.bootstrap({ controllers: [UserController], workers: 4 });
`;

describe('the packed package', function () {
  this.timeout(60_000);
  let consumer: string;

  before(async () => {
    consumer = await mkdtemp(path.join(tmpdir(), 'httppool-consumer-'));
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', consumer], {
      cwd: root,
    });
    const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
    const target = path.join(consumer, 'node_modules', 'httppool');
    await mkdir(target, { recursive: true });
    await run('tar', ['-xzf', path.join(consumer, filename as string), '-C', target, '--strip-components=1']);
    const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    const links = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies), '@types'];
    for (const name of links) {
      await symlink(path.join(root, 'node_modules', name), path.join(consumer, 'node_modules', name), 'dir');
    }
  });
  after(() => rm(consumer, { recursive: true, force: true }));

  it('ships only the built library, its types and docs', async () => {
    const { stdout } = await run('tar', ['-tzf', path.join(consumer, `httppool-${await version()}.tgz`)]);
    const files = stdout.trim().split('\n');
    expect(files).to.include.members(['package/dist/src/index.js', 'package/dist/src/index.d.ts', 'package/README.md']);
    expect(files.filter((file) => !/^package\/(dist\/src\/|README\.md|CHANGELOG\.md|package\.json|LICENSE)/.test(file)))
      .to.be.empty;
  });

  it('works for an ESM consumer: import { … } from "httppool"', async () => {
    await writeFile(path.join(consumer, 'consumer.mjs'), ESM_CONSUMER);
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: consumer });
    expect(JSON.parse(stdout)).to.deep.equal({
      body: { hi: 'esm' },
      pool: 'function',
      queue: 'function',
      error: 'function',
    });
  });

  it('works for require("httppool")', async () => {
    await writeFile(path.join(consumer, 'consumer.cjs'), CJS_CONSUMER);
    const { stdout } = await run(process.execPath, ['consumer.cjs'], { cwd: consumer });
    expect(JSON.parse(stdout)).to.include.members([
      'HttpPoolApp',
      'Controller',
      'Route',
      'Get',
      'WorkerPool',
      'JobQueue',
    ]);
  });

  it('type-checks a TypeScript consumer against the shipped declarations', async () => {
    await writeFile(path.join(consumer, 'consumer.ts'), TS_CONSUMER);
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--experimentalDecorators', '--emitDecoratorMetadata'];
    args.push('--module', 'node20', '--target', 'es2022', '--types', 'node', 'consumer.ts');
    const result = await run(process.execPath, [tsc, ...args], { cwd: consumer }).catch(
      (error: { stdout: string }) => error,
    );
    expect(result.stdout).to.equal('');
  });
});

async function version(): Promise<string> {
  return (JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}
