// The packed tarball works for a consumer: ESM import, require, and types;
// it ships the docs; and every relative link in the docs leads somewhere.
//
// `npm pack` the built package, unpack it into a temporary consumer's
// node_modules next to links to the repo's own dependencies (no network), and
// run small ESM, CommonJS and TypeScript consumers against it.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
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

const STATUS_CONSUMER = `
require('reflect-metadata');
const { HttpPoolApp } = require('httppool');
(async () => {
  const app = await HttpPoolApp.bootstrap({ logger: false, statusPage: true });
  const page = await app.inject('/_httppool');
  const script = await app.inject('/_httppool/assets/status.js');
  await app.close();
  console.log(JSON.stringify({
    page: page.statusCode,
    script: script.statusCode,
    bytes: script.rawPayload.length,
    etag: typeof script.headers.etag === 'string',
  }));
})();
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

/** The TypeScript compilers a consumer may have: `npm i -D typescript` today, and the 6.x line. */
const TYPESCRIPTS = [
  ['typescript 7', 'node_modules/typescript-7/bin/tsc'],
  ['typescript 6', 'node_modules/typescript/bin/tsc'],
] as const;

describe('the packed package', function () {
  this.timeout(60_000);
  let consumer: string;
  let tarball: string;
  const packedFiles = async (): Promise<string[]> => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    return stdout.trim().split('\n');
  };

  before(async () => {
    consumer = await mkdtemp(path.join(tmpdir(), 'httppool-consumer-'));
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', consumer], {
      cwd: root,
    });
    const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
    const target = path.join(consumer, 'node_modules', 'httppool');
    await mkdir(target, { recursive: true });
    tarball = path.join(consumer, filename as string);
    await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
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
    const files = await packedFiles();
    expect(files).to.include.members(['package/dist/src/index.js', 'package/dist/src/index.d.ts', 'package/README.md']);
    const shipped =
      /^package\/(dist\/src\/|docs\/[^/]+\.md$|docs\/images\/[^/]+\.png$|status-page\/[^/]+\.(js|css)$|README\.md$|CHANGELOG\.md$|package\.json$|LICENSE$)/;
    expect(files.filter((file) => !shipped.test(file))).to.be.empty;
  });

  it("ships the status page's assets, and an installed package serves them", async () => {
    const assets = (await readdir(path.join(root, 'status-page'))).sort();
    expect(assets).to.include.members(['status.css', 'status.js']);
    expect(await packedFiles()).to.include.members(assets.map((asset) => `package/status-page/${asset}`));
    await writeFile(path.join(consumer, 'status-consumer.cjs'), STATUS_CONSUMER);
    const { stdout } = await run(process.execPath, ['status-consumer.cjs'], { cwd: consumer });
    const served = JSON.parse(stdout) as { page: number; script: number; bytes: number; etag: boolean };
    const script = await readFile(path.join(root, 'status-page', 'status.js'));
    expect(served).to.deep.equal({ page: 200, script: 200, bytes: script.length, etag: true });
  });

  it('ships every page of docs/', async () => {
    const pages = await docsPages();
    expect(pages).to.include('README.md');
    expect(await packedFiles()).to.include.members(pages.map((page) => `package/docs/${page}`));
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

  it('ships source maps that carry their sources', async () => {
    const map = JSON.parse(
      await readFile(path.join(consumer, 'node_modules', 'httppool', 'dist', 'src', 'app.js.map'), 'utf8'),
    ) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sources).to.deep.equal(['../../src/app.ts']);
    expect(map.sourcesContent?.[0]).to.equal(await readFile(path.join(root, 'src', 'app.ts'), 'utf8'));
  });

  // The README's first controller and its recommended tsconfig.json, as a
  // newcomer pastes them: into a CommonJS project and an ES module one, built
  // with each TypeScript line users install, then run (on port 0, not 9000).
  for (const [compiler, tscPath] of TYPESCRIPTS) {
    for (const moduleType of ['commonjs', 'module'] as const) {
      it(`builds and runs the README's controller as ${moduleType} with ${compiler}`, async () => {
        const readme = await readFile(path.join(root, 'README.md'), 'utf8');
        const project = path.join(consumer, `readme-${compiler}-${moduleType}`);
        await mkdir(path.join(project, 'src'), { recursive: true });
        await writeFile(path.join(project, 'package.json'), JSON.stringify({ type: moduleType }));
        await writeFile(path.join(project, 'tsconfig.json'), readmeBlock(readme, 'A controller', 'json'));
        await writeFile(path.join(project, 'src', 'main.ts'), onPortZero(readmeBlock(readme, 'A controller', 'ts')));
        const build = await run(process.execPath, [path.join(root, tscPath), '-p', '.'], { cwd: project }).catch(
          (error: { stdout: string }) => error,
        );
        expect(build.stdout).to.equal('');
        const { stdout } = await run(process.execPath, ['--enable-source-maps', 'dist/main.js'], { cwd: project });
        expect(stdout).to.include('answered {"id":"1","name":"Ada"}');
      });
    }
  }
});

/** The first fenced block of a language under a README heading. */
function readmeBlock(readme: string, heading: string, language: string): string {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  const block = new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'm').exec(section);
  if (!block) throw new Error(`README: no ${language} block under "## ${heading}"`);
  return block[1] as string;
}

/** The README's program, listening on port 0 and asking itself once instead of serving on 9000. */
function onPortZero(program: string): string {
  const listen = 'await app.listen(9000);';
  expect(program).to.include(listen);
  return program.replace(
    listen,
    [
      "const { port } = await app.listen(0, '127.0.0.1');",
      "const user = await (await fetch('http://127.0.0.1:' + port + '/api/users/1')).text();",
      "console.log('answered ' + user);",
      'await app.close();',
    ].join('\n'),
  );
}

describe('the docs', () => {
  it('have no relative link to a file that does not exist', async () => {
    const documents = ['README.md', ...(await docsPages()).map((page) => path.join('docs', page))];
    const broken: string[] = [];
    let checked = 0;
    for (const document of documents) {
      const text = await readFile(path.join(root, document), 'utf8');
      for (const target of relativeLinks(text)) {
        checked++;
        const file = path.resolve(root, path.dirname(document), decodeURIComponent(target));
        const found = await access(file).then(
          () => true,
          () => false,
        );
        if (!found) broken.push(`${document}: ${target}`);
      }
    }
    expect(checked, 'relative links found').to.be.greaterThan(20);
    expect(broken, 'links to missing files').to.deep.equal([]);
  });

  it('find every kind of relative link, and only those', () => {
    const text = [
      'See [a](docs/a.md), [`b`](../src/b.ts#L3), [c](c.md "title") and [anchor](#here).',
      '[web](https://example.com/x.md) [mail](mailto:x@example.com) [plain](http://example.com)',
      '```ts',
      'const [x](y) = nothing; // [not](a-link.md)',
      '```',
      '- a list item:',
      '  ```json',
      '  { "link": "[no](inside-a-list-fence.md)" }',
      '  ```',
      '![an image](img/logo.png)',
    ].join('\n');
    expect(relativeLinks(text)).to.deep.equal(['docs/a.md', '../src/b.ts', 'c.md', 'img/logo.png']);
  });
});

/** The Markdown files in docs/, by name. */
async function docsPages(): Promise<string[]> {
  const names = await readdir(path.join(root, 'docs'));
  return names.filter((name) => name.endsWith('.md')).sort();
}

/** The paths of a Markdown text's links to local files: outside code blocks, #anchors cut off. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?^[ \t]*\1[^\n]*$/gm, '');
  const targets: string[] = [];
  for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = (match[1] as string).split('#')[0] as string;
    if (target === '' || /^(https?|mailto):/i.test(target)) continue;
    targets.push(target);
  }
  return targets;
}
