// static: cached small-file throughput (issue 6, point 7). A ~1 KiB
// stylesheet (and, on demand, a ~10 KiB one) in a temp folder, served under
// /public by httppool's static mount, @fastify/static and express.static,
// each with its defaults; node:http answering the same bytes from memory is
// the baseline.
//
// A fair comparison: autocannon sends no Accept-Encoding, so every server
// answers the same identity bytes (no compression on either side). A last row
// sends `Accept-Encoding: br, gzip`: httppool (and the baseline) answer with a
// brotli variant made once, @fastify/static and express.static still answer
// the file as is (neither compresses by default).
//
// Before any load, each server's answer to each request is checked: 200, a
// Content-Length matching the body, and the file's bytes once decoded.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compareServers, pairRatio, summarize, type HttpRun, type Phase } from '../lib/http-compare';
import { httpGet } from '../lib/http-get';
import type { ServerProcess, ServerSpec } from '../lib/server-process';
import type { Scenario, ScenarioContext, ScenarioOutput } from '../lib/scenario';
import { markdownTable, num, times } from '../lib/table';

const RAW: ServerSpec = { name: 'node:http (from memory)', script: 'static-raw' };
const HTTPPOOL: ServerSpec = { name: 'httppool static', script: 'static-httppool' };
const FASTIFY: ServerSpec = { name: '@fastify/static', script: 'static-fastify' };
const EXPRESS: ServerSpec = { name: 'express.static', script: 'static-express' };

const SMALL = { name: 'site.css', bytes: 1024 };
const LARGER = { name: 'app.css', bytes: 10 * 1024 };
const ACCEPT_BR = { 'accept-encoding': 'br, gzip' };

/** One server's checked answer to one phase's request. */
interface Answer {
  status: number;
  contentLength: number;
  encoding: string;
}

/** One measured request: a file, with or without `Accept-Encoding: br, gzip`. */
interface StaticCase {
  file: { name: string; bytes: number };
  br: boolean;
}

function staticScenario(name: string, description: string, cases: StaticCase[], onDemand: boolean): Scenario {
  return { name, description, onDemand, run: (context) => runStatic(name, cases, context) };
}

/** The default run: the ~1 KiB file as is, then with brotli. 2 s runs keep `npm run bench` under 10 minutes. */
export const staticFiles = staticScenario(
  'static',
  'GET a ~1 KiB CSS file (as is, then br): httppool static, @fastify/static, express.static',
  [
    { file: SMALL, br: false },
    { file: SMALL, br: true },
  ],
  false,
);

/** On demand (`npm run bench -- static-10k`): the same comparison on a ~10 KiB file. */
export const staticLarger = staticScenario(
  'static-10k',
  'GET a ~10 KiB CSS file: httppool static, @fastify/static, express.static',
  [{ file: LARGER, br: false }],
  true,
);

async function runStatic(
  scenario: string,
  cases: readonly StaticCase[],
  { settings }: ScenarioContext,
): Promise<ScenarioOutput> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'httppool-bench-static-'));
  try {
    const files = new Map<string, Buffer>();
    for (const [index, file] of [SMALL, LARGER].entries()) {
      const body = Buffer.from(stylesheet(file.bytes, index + 1));
      writeFileSync(path.join(root, file.name), body);
      files.set(`/public/${file.name}`, body);
    }
    const durationSec = Math.min(settings.durationSec, 2);
    const phases: Phase[] = cases.map(({ file, br }) => {
      const route = `/public/${file.name}`;
      const bytes = (files.get(route) as Buffer).length;
      return {
        name: `${file.name}, ${num(bytes)} B${br ? ', br' : ''}`,
        route,
        connections: settings.connections,
        durationSec,
        ...(br ? { headers: ACCEPT_BR } : {}),
      };
    });
    const servers = [RAW, HTTPPOOL, FASTIFY, EXPRESS].map((spec) => ({ ...spec, config: { staticRoot: root } }));
    const answers = new Map<string, Answer>();
    const runs = await compareServers({
      scenario,
      servers,
      phases,
      rounds: settings.rounds,
      warmupSec: settings.warmupSec,
      verify: async (server) => {
        for (const phase of phases) {
          const answer = await verify(server, phase, files.get(phase.route) as Buffer);
          answers.set(`${server.spec.name}|${phase.name}`, answer);
        }
      },
    });
    const summaries = summarize(runs, RAW.name);
    const rps = (run: HttpRun): number => run.load.rps;
    const cpu = (run: HttpRun): number => run.cpuUsPerResponse;
    const vsFastify = (phase: string, server: string, pick: (run: HttpRun) => number): number =>
      server === RAW.name ? Number.NaN : pairRatio(runs, phase, server, FASTIFY.name, pick);
    const tableOf = (phase: Phase): string =>
      markdownTable(
        [
          'server',
          'answer',
          'req/s',
          '× node:http',
          '× @fastify/static',
          'p99 ms',
          'server CPU µs/req',
          'CPU × node:http',
          'CPU × @fastify/static',
          'server CPU',
          'autocannon CPU',
        ],
        summaries
          .filter((s) => s.phase === phase.name)
          .map((s) => {
            const answer = answers.get(`${s.server}|${s.phase}`);
            return [
              s.server,
              answer === undefined ? '—' : `${answer.status}, ${num(answer.contentLength)} B ${answer.encoding}`,
              num(s.rps),
              times(s.vsBaseline.rps),
              times(vsFastify(s.phase, s.server, rps)),
              num(s.p99, 2),
              num(s.cpuUsPerResponse, 1),
              times(s.vsBaseline.cpuUsPerResponse),
              times(vsFastify(s.phase, s.server, cpu)),
              `${num(s.serverCpu * 100)} %`,
              `${num(s.loadgenCpu * 100)} %`,
            ];
          }),
      );
    const titleOf = (phase: Phase): string =>
      `static: GET /public/${phase.name}, ${phase.connections} connections, ${phase.durationSec} s per run, ` +
      `${settings.rounds} rounds, medians; ratios are medians of per-round ratios. ` +
      (phase.headers === undefined
        ? 'No Accept-Encoding: every server sends the file as is. '
        : 'Accept-Encoding: br, gzip: httppool and node:http send a brotli variant made once; ' +
          '@fastify/static and express.static do not compress by default and send the file as is. ') +
      'httppool answers from its memory cache; @fastify/static and express.static stat and read the file per request';
    const ratioLine = (phase: Phase, server: ServerSpec): string =>
      `info   static ${phase.name}: ${server.name} ÷ @fastify/static: req/s ` +
      `${times(pairRatio(runs, phase.name, server.name, FASTIFY.name, rps))}, CPU/req ` +
      `${times(pairRatio(runs, phase.name, server.name, FASTIFY.name, cpu))}; ÷ node:http from memory: req/s ` +
      `${times(pairRatio(runs, phase.name, server.name, RAW.name, rps))}, CPU/req ` +
      `${times(pairRatio(runs, phase.name, server.name, RAW.name, cpu))}`;
    const lastStats = runs.filter((run) => run.server === HTTPPOOL.name).at(-1)?.cpu.stats;
    return {
      settings: {
        phases,
        files: [...files].map(([route, body]) => ({ route, bytes: body.length })),
        servers: servers.map(({ name, script }) => ({ name, script })),
      },
      summary: { servers: summaries, answers: Object.fromEntries(answers), httppoolStaticStats: lastStats },
      runs,
      tables: phases.map((phase) => `${titleOf(phase)}\n\n${tableOf(phase)}`),
      findings: [
        ...phases.map((phase) => ratioLine(phase, HTTPPOOL)),
        `info   static: httppool's cache after its last run: ${JSON.stringify(lastStats)} (misses: the check before warm-up)`,
      ],
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Checks one server's answer to one phase's request: 200, Content-Length = body, the file once decoded. */
async function verify(server: ServerProcess, phase: Phase, file: Buffer): Promise<Answer> {
  const what = `${server.spec.name}: GET ${phase.route}${phase.headers === undefined ? '' : ' (br, gzip)'}`;
  const answer = await httpGet(server.url(phase.route), phase.headers);
  const length = Number(answer.headers['content-length']);
  const encoding = answer.headers['content-encoding'] ?? 'identity';
  if (answer.status !== 200) throw new Error(`${what} answered ${answer.status}`);
  if (length !== answer.body.length) {
    throw new Error(`${what}: Content-Length ${String(answer.headers['content-length'])}, body ${answer.body.length}`);
  }
  if (phase.headers === undefined && encoding !== 'identity') {
    throw new Error(`${what}: Content-Encoding ${encoding} without Accept-Encoding`);
  }
  if (server.spec.script === HTTPPOOL.script && phase.headers !== undefined && encoding !== 'br') {
    throw new Error(`${what}: Content-Encoding ${encoding}, not its brotli variant`);
  }
  const decoded =
    encoding === 'br' ? brotliDecompressSync(answer.body) : encoding === 'gzip' ? gunzipSync(answer.body) : answer.body;
  if (!decoded.equals(file)) throw new Error(`${what}: the body is not the file`);
  return { status: answer.status, contentLength: length, encoding };
}

/** A stylesheet of at least `bytes` bytes: rules with varied values, so it compresses as real CSS does. */
function stylesheet(bytes: number, seed: number): string {
  let state = seed;
  const next = (below: number): number => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return (state >>> 8) % below;
  };
  const hex = (): string => next(0x1000000).toString(16).padStart(6, '0');
  const names = ['header', 'nav', 'card', 'button', 'footer', 'list', 'item', 'title', 'form', 'input', 'badge'];
  let css = '';
  for (let i = 0; css.length < bytes; i++) {
    const name = `${names[next(names.length)] as string}-${i}`;
    css +=
      `.${name} { color: #${hex()}; background: #${hex()}; margin: ${next(24)}px ${next(24)}px; ` +
      `padding: ${next(16)}px; border-radius: ${next(8)}px; }\n`;
  }
  return css;
}
