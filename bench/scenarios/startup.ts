// startup: bootstrap 100 controllers × 10 routes, httppool against NestJS on
// fastify; each trial a fresh process, alternating.

import type { StartupTimes } from '../children/startup';
import { forkChild } from '../lib/fork-child';
import { goal, type Scenario, type ScenarioContext, type ScenarioOutput } from '../lib/scenario';
import { median, ratio } from '../lib/stats';
import { markdownTable, num, times } from '../lib/table';

const CONTROLLERS = 100;
const ROUTES = 10;
const IMPLS = ['httppool', 'nest'] as const;
const LABEL: Record<string, string> = { httppool: 'httppool', nest: 'NestJS (fastify)' };

export const startup: Scenario = {
  name: 'startup',
  description: `bootstrap ${CONTROLLERS} controllers × ${ROUTES} routes`,
  async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
    const trials = Math.max(5, settings.rounds);
    const runs: Array<{ impl: string; round: number } & StartupTimes> = [];
    for (let round = 0; round < trials; round++) {
      for (const impl of round % 2 === 0 ? IMPLS : [...IMPLS].reverse()) {
        const times = await forkChild<StartupTimes>('startup', [impl, String(CONTROLLERS), String(ROUTES)]);
        if (times.checkedStatus !== 200) throw new Error(`${impl}: the last route answered ${times.checkedStatus}`);
        runs.push({ impl, round, ...times });
        console.log(
          `[startup] trial ${round + 1}/${trials} ${LABEL[impl]}: bootstrap ${num(times.bootstrapMs, 1)} ms ` +
            `(import ${num(times.importMs, 1)} ms, define ${num(times.defineMs, 1)} ms)`,
        );
      }
    }
    const of = (impl: string, pick: (t: StartupTimes) => number): number =>
      median(runs.filter((r) => r.impl === impl).map(pick));
    const vsNest = (pick: (t: StartupTimes) => number): number =>
      median(
        runs
          .filter((r) => r.impl === 'httppool')
          .map((r) => ratio(pick(r), pick(runs.find((o) => o.impl === 'nest' && o.round === r.round) ?? r))),
      );
    const table = markdownTable(
      [
        'framework',
        'bootstrap ms',
        '× NestJS',
        'import ms',
        'define classes ms',
        'ready since process start ms',
        'heap MiB',
      ],
      IMPLS.map((impl) => [
        LABEL[impl] as string,
        num(
          of(impl, (t) => t.bootstrapMs),
          1,
        ),
        impl === 'nest' ? '1.00×' : times(vsNest((t) => t.bootstrapMs)),
        num(
          of(impl, (t) => t.importMs),
          1,
        ),
        num(
          of(impl, (t) => t.defineMs),
          1,
        ),
        num(of(impl, (t) => t.processMs)),
        num(
          of(impl, (t) => t.heapUsedMiB),
          1,
        ),
      ]),
    );
    return {
      settings: { controllers: CONTROLLERS, routesPerController: ROUTES, trials },
      summary: IMPLS.map((impl) => ({
        impl,
        bootstrapMs: of(impl, (t) => t.bootstrapMs),
        importMs: of(impl, (t) => t.importMs),
        defineMs: of(impl, (t) => t.defineMs),
        processMs: of(impl, (t) => t.processMs),
        heapUsedMiB: of(impl, (t) => t.heapUsedMiB),
      })),
      runs,
      tables: [
        `startup: ${CONTROLLERS} controllers × ${ROUTES} GET routes, decorators applied as functions; bootstrap = bootstrap() (httppool) or create() + init() (NestJS), not listening; ${trials} fresh processes each, medians\n\n${table}`,
      ],
      findings: [
        goal(
          'startup: httppool bootstrap ÷ NestJS',
          vsNest((t) => t.bootstrapMs),
          '≤',
          0.25,
        ),
        `info   startup: from process start to ready, httppool takes ${times(vsNest((t) => t.processMs))} NestJS's time; ` +
          `loading httppool's modules takes ${num(of('httppool', (t) => t.importMs))} ms of it`,
      ],
    };
  },
};
