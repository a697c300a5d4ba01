// profile (on demand: `npm run bench -- profile`): where a hello request's
// CPU and allocations go, in node:http, httppool and fastify; where httppool's
// CPU goes while it sheds (the overload scenario at 1,000 connections); and
// the price of each step on the per-request path, timed alone.
//
// Each server runs alone under `node --cpu-prof`; after a warm-up, one load
// run is the CPU window (only its samples are counted), then a second run
// under V8's sampling heap profiler counts the bytes allocated per request by
// function. Profiling slows everything down: compare the servers, not these
// numbers with the other scenarios'.

import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  analyzeProfile,
  category,
  readProfile,
  sourceLocation,
  type FrameCost,
  type ProfileAnalysis,
  type ProfileWindow,
} from '../lib/cpu-profile';
import { runLoad } from '../lib/load';
import { RAW_DIR, REPO_ROOT } from '../lib/results';
import { goal, type Scenario, type ScenarioContext, type ScenarioOutput } from '../lib/scenario';
import { ServerProcess, type ServerSpec } from '../lib/server-process';
import type { AllocationSite } from '../servers/serve';
import { markdownTable, num } from '../lib/table';
import { forkChild } from '../lib/fork-child';
import { SERVERS } from './throughput';

/** The .cpuprofile files, with the raw JSON (not committed: megabytes each). */
const PROFILE_DIR = path.join(RAW_DIR, 'profiles');
const ROUTE = '/test';
const SAMPLING_INTERVAL_US = 100;
const TOP_FRAMES = 80;

interface ServerProfile {
  server: string;
  responses: number;
  cpuUsPerResponse: number;
  profileFile: string;
  analysis: ProfileAnalysis;
  allocResponses: number;
  allocBytesPerResponse: number;
  allocSites: Array<AllocationSite & { where: string; category: string; bytesPerResponse: number }>;
}

/** Frames of one profile: time per response and share of the busy time (`withCategory` adds its column). */
function frameTable(title: string, unit: string, frames: FrameCost[], p: ServerProfile, withCategory: boolean): string {
  return markdownTable(
    [title, 'where', ...(withCategory ? ['category'] : []), unit, '% of busy'],
    frames.map((f) => [
      f.functionName,
      f.where,
      ...(withCategory ? [f.category] : []),
      num(f.us / p.responses, 2),
      `${num((f.us / p.analysis.busyUs) * 100, 1)} %`,
    ]),
  );
}

function profilerFlags(label: string): string[] {
  const dir = path.join(PROFILE_DIR, label);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${SAMPLING_INTERVAL_US}`];
}

interface Measured {
  server: ServerProcess;
  label: string;
  windows: ProfileWindow[];
  responses: number;
  cpuUs: number;
  allocResponses: number;
  sites: AllocationSite[];
}

/**
 * Profiles servers side by side: all run under --cpu-prof at once, and their
 * CPU windows alternate over `rounds`, so a burst of load from elsewhere on
 * the machine lands on all of them rather than on one. Then one allocation
 * run each. Returns once the servers have exited and written their profiles.
 */
async function profileServers(
  specs: ReadonlyArray<{ spec: ServerSpec; label: string }>,
  route: string,
  connections: number,
  durationSec: number,
  warmupSec: number,
  rounds: number,
): Promise<ServerProfile[]> {
  const measured: Measured[] = [];
  try {
    for (const { spec, label } of specs) {
      const server = await ServerProcess.start(spec, profilerFlags(label));
      measured.push({ server, label, windows: [], responses: 0, cpuUs: 0, allocResponses: 0, sites: [] });
    }
    for (const { server } of measured) await runLoad({ url: server.url(route), connections, durationSec: warmupSec });
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < measured.length; i++) {
        const entry = measured[(i + round) % measured.length] as Measured;
        await entry.server.cpuStart();
        const load = await runLoad({ url: entry.server.url(route), connections, durationSec });
        const cpu = await entry.server.cpuStop();
        entry.windows.push({ fromUs: cpu.fromUs, toUs: cpu.toUs });
        entry.responses += load.responses;
        entry.cpuUs += cpu.userUs + cpu.systemUs;
        console.log(
          `[profile] round ${round + 1}/${rounds} ${entry.server.spec.name}: ${num(load.rps)} req/s under --cpu-prof, ` +
            `${num((cpu.userUs + cpu.systemUs) / load.responses, 1)} µs CPU/req`,
        );
      }
    }
    for (const entry of measured) {
      await entry.server.allocStart();
      const load = await runLoad({
        url: entry.server.url(route),
        connections,
        durationSec: Math.max(1, durationSec / 2),
      });
      entry.sites = await entry.server.allocStop();
      entry.allocResponses = load.responses;
    }
  } finally {
    await Promise.all(measured.map(({ server }) => server.close()));
  }
  return measured.map((entry) => {
    const dir = path.join(PROFILE_DIR, entry.label);
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`${entry.server.spec.name}: no .cpuprofile written in ${dir}`);
    const profileFile = path.join(dir, file);
    const totalBytes = entry.sites.reduce((sum, site) => sum + site.bytes, 0);
    return {
      server: entry.server.spec.name,
      responses: entry.responses,
      cpuUsPerResponse: entry.cpuUs / entry.responses,
      profileFile: path.relative(REPO_ROOT, profileFile),
      analysis: analyzeProfile(readProfile(profileFile), entry.windows, TOP_FRAMES),
      allocResponses: entry.allocResponses,
      allocBytesPerResponse: totalBytes / entry.allocResponses,
      allocSites: entry.sites.slice(0, 80).map((site) => ({
        ...site,
        where: sourceLocation(site.url, site.line - 1, 0, REPO_ROOT),
        category: category(site.url, site.functionName),
        bytesPerResponse: site.bytes / entry.allocResponses,
      })),
    };
  });
}

export const profile: Scenario = {
  name: 'profile',
  description: 'CPU and allocation profiles of GET /test (node:http, httppool, fastify) and of a shed 503; on demand',
  onDemand: true,
  async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
    const specs = [SERVERS.RAW, SERVERS.HTTPPOOL, SERVERS.FASTIFY].map((spec) => ({ spec, label: spec.script }));
    const { connections, durationSec, warmupSec, rounds } = settings;
    const profiles = await profileServers(specs, ROUTE, connections, durationSec, warmupSec, rounds);
    // Shedding alone: one worker held for good and a queue of one, so every
    // other request is a 503; node:http answers the same 503 by hand.
    const shedSpec = { ...SERVERS.HTTPPOOL, name: 'httppool shedding', config: { workers: 1, queueSize: 1 } };
    const [rawShed, shed] = (await profileServers(
      [
        { spec: { ...SERVERS.RAW, name: 'node:http 503 by hand' }, label: 'raw-shedding' },
        { spec: shedSpec, label: 'httppool-shedding' },
      ],
      '/hold',
      connections,
      durationSec,
      warmupSec,
      rounds,
    )) as [ServerProfile, ServerProfile];
    const { steps } = await forkChild<{ steps: Array<{ step: string; ns: number; note: string }> }>('hotpath', []);
    const perReq = (p: ServerProfile, us: number): number => us / p.responses;
    const categories = [...new Set(profiles.flatMap((p) => p.analysis.byCategory.map((c) => c.category)))];
    const usOf = (p: ServerProfile, cat: string): number =>
      perReq(p, p.analysis.byCategory.find((c) => c.category === cat)?.us ?? 0);
    const raw = profiles[0] as ServerProfile;
    const mine = profiles[1] as ServerProfile;
    categories.sort((a, b) => usOf(mine, b) - usOf(mine, a));
    const categoryTable = markdownTable(
      ['sampled CPU µs per request', ...profiles.map((p) => p.server), 'httppool − node:http'],
      [
        ...categories.map((cat) => [
          cat,
          ...profiles.map((p) => num(usOf(p, cat), 2)),
          num(usOf(mine, cat) - usOf(raw, cat), 2),
        ]),
        [
          'all (busy samples)',
          ...profiles.map((p) => num(perReq(p, p.analysis.busyUs), 2)),
          num(perReq(mine, mine.analysis.busyUs) - perReq(raw, raw.analysis.busyUs), 2),
        ],
        [
          'process.cpuUsage() µs/req',
          ...profiles.map((p) => num(p.cpuUsPerResponse, 2)),
          num(mine.cpuUsPerResponse - raw.cpuUsPerResponse, 2),
        ],
      ],
    );
    const selfTable = frameTable('httppool: top self time', 'µs/req', mine.analysis.topSelf.slice(0, 25), mine, true);
    // Frames where httppool spends more than node:http (the full top lists are in the raw JSON).
    const frameKey = (f: { functionName: string; where: string }): string => `${f.functionName}|${f.where}`;
    const rawSelf = new Map(raw.analysis.topSelf.map((f) => [frameKey(f), perReq(raw, f.us)]));
    const selfDiffTable = markdownTable(
      ['more self time in httppool than in node:http', 'where', 'httppool µs/req', 'node:http µs/req', 'difference'],
      mine.analysis.topSelf
        .map((f) => ({ f, mineUs: perReq(mine, f.us), rawUs: rawSelf.get(frameKey(f)) ?? 0 }))
        .filter(({ mineUs, rawUs }) => mineUs - rawUs > 0.05)
        .sort((a, b) => b.mineUs - b.rawUs - (a.mineUs - a.rawUs))
        .slice(0, 20)
        .map(({ f, mineUs, rawUs }) => [
          f.functionName,
          f.where,
          num(mineUs, 2),
          num(rawUs, 2),
          num(mineUs - rawUs, 2),
        ]),
    );
    const inclusiveTable = frameTable(
      'httppool src: inclusive time',
      'µs/req',
      mine.analysis.srcInclusive.slice(0, 15),
      mine,
      false,
    );
    const allocTable = markdownTable(
      ['bytes allocated per request', ...profiles.map((p) => p.server)],
      [['all (sampled, incl. collected)', ...profiles.map((p) => num(p.allocBytesPerResponse))]],
    );
    const siteKey = (site: AllocationSite): string => `${site.functionName}|${site.url}|${site.line}`;
    const rawBytes = new Map(raw.allocSites.map((site) => [siteKey(site), site.bytesPerResponse]));
    const allocDiffTable = markdownTable(
      [
        'allocates more per request in httppool than in node:http',
        'where',
        'httppool bytes/req',
        'node:http bytes/req',
      ],
      mine.allocSites
        .map((site) => ({ site, extra: site.bytesPerResponse - (rawBytes.get(siteKey(site)) ?? 0) }))
        .filter(({ extra }) => extra > 16)
        .sort((a, b) => b.extra - a.extra)
        .slice(0, 12)
        .map(({ site }) => [
          site.functionName || '(anonymous)',
          site.where,
          num(site.bytesPerResponse),
          num(rawBytes.get(siteKey(site)) ?? 0),
        ]),
    );
    const shedTable = frameTable(
      'httppool shedding: top self time',
      'µs/resp',
      shed.analysis.topSelf.slice(0, 15),
      shed,
      true,
    );
    const shedInclusiveTable = frameTable(
      'httppool shedding: src inclusive',
      'µs/resp',
      shed.analysis.srcInclusive.slice(0, 12),
      shed,
      false,
    );
    const stepsTable = markdownTable(
      ['step on the per-request path, timed alone', 'ns/op', 'note'],
      steps.map((step) => [step.step, num(step.ns, 1), step.note]),
    );
    const allocSitesTable = markdownTable(
      ['httppool: top allocating functions', 'where', 'category', 'bytes/req'],
      mine.allocSites
        .slice(0, 15)
        .map((s) => [s.functionName || '(anonymous)', s.where, s.category, num(s.bytesPerResponse)]),
    );
    const srcUs = usOf(mine, 'httppool src');
    return {
      settings: {
        route: ROUTE,
        connections: settings.connections,
        durationSec: settings.durationSec,
        samplingIntervalUs: SAMPLING_INTERVAL_US,
      },
      summary: { hello: profiles, shedding: { httppool: shed, raw: rawShed }, steps },
      runs: [],
      tables: [
        `profile: GET ${ROUTE}, ${settings.connections} connections, ${settings.rounds} windows of ${settings.durationSec} s each, servers alternating, under --cpu-prof (${SAMPLING_INTERVAL_US} µs sampling); self time by category, per request\n\n${categoryTable}`,
        `profile: httppool's hottest functions (self time)\n\n${selfTable}`,
        `profile: where httppool spends more than node:http (self time per function; both from the top ${TOP_FRAMES})\n\n${selfDiffTable}`,
        `profile: httppool's own functions with what they call (inclusive)\n\n${inclusiveTable}`,
        `profile: allocation (V8 sampling heap profiler, every allocation counted)\n\n${allocTable}\n\n${allocSitesTable}\n\n${allocDiffTable}`,
        `profile: what a 503 costs: GET /hold at ${connections} connections, httppool with its one worker held and a queue of one ` +
          `(every other request shed): ${num(shed.cpuUsPerResponse, 1)} µs CPU per response; node:http answering the same 503 by hand: ` +
          `${num(rawShed.cpuUsPerResponse, 1)} µs\n\n${shedTable}\n\n${shedInclusiveTable}`,
        `profile: the per-request steps, each timed alone in a fresh process (bench/children/hotpath.ts)\n\n${stepsTable}`,
      ],
      findings: [
        goal(
          'profile: httppool CPU/req ÷ node:http (under the profiler)',
          mine.cpuUsPerResponse / raw.cpuUsPerResponse,
          '≤',
          1.1,
        ),
        `       httppool's own code: ${num(srcUs, 2)} µs/req self time (${num((srcUs / perReq(mine, mine.analysis.busyUs)) * 100, 1)} % of its busy time); ` +
          `${num(mine.allocBytesPerResponse - raw.allocBytesPerResponse)} more bytes allocated per request than node:http`,
        goal(
          'profile: httppool CPU per 503 ÷ node:http 503 by hand',
          shed.cpuUsPerResponse / rawShed.cpuUsPerResponse,
          '≤',
          1.1,
        ),
      ],
    };
  },
};
