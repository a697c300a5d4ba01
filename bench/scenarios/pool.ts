// pool: 1e5 trivial async tasks through WorkerPool at 100 workers, against
// p-limit, p-queue and fastq's promise API, each in a fresh process, alternating.

import { forkChild } from '../lib/fork-child';
import { goal, type Scenario, type ScenarioContext, type ScenarioOutput } from '../lib/scenario';
import { median, ratio } from '../lib/stats';
import { markdownTable, num, times } from '../lib/table';

const JOBS = 1e5;
const CONCURRENCY = 100;
const IMPLS = ['workerpool', 'fastq', 'p-limit', 'p-queue'] as const;
const LABEL: Record<string, string> = {
  workerpool: 'httppool WorkerPool.run',
  fastq: 'fastq (promise API)',
  'p-limit': 'p-limit 7',
  'p-queue': 'p-queue 9',
};

export const pool: Scenario = {
  name: 'pool',
  description: `${num(JOBS)} trivial async tasks at concurrency ${CONCURRENCY}`,
  async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
    const runs: Array<{ impl: string; round: number; tasksPerSec: number }> = [];
    for (let round = 0; round < settings.rounds; round++) {
      for (const impl of rotate(IMPLS, round)) {
        const { tasksPerSec } = await forkChild<{ tasksPerSec: number }>('pool', [
          impl,
          String(JOBS),
          String(CONCURRENCY),
        ]);
        runs.push({ impl, round, tasksPerSec });
        console.log(`[pool] round ${round + 1}/${settings.rounds} ${LABEL[impl]}: ${num(tasksPerSec)} tasks/s`);
      }
    }
    const of = (impl: string): number => median(runs.filter((r) => r.impl === impl).map((r) => r.tasksPerSec));
    const vs = (impl: string, other: string): number =>
      median(
        runs
          .filter((r) => r.impl === impl)
          .map((r) =>
            ratio(r.tasksPerSec, runs.find((o) => o.impl === other && o.round === r.round)?.tasksPerSec ?? Number.NaN),
          ),
      );
    const table = markdownTable(
      ['pool', 'tasks/s', '× fastq', '× p-queue'],
      IMPLS.map((impl) => [LABEL[impl] as string, num(of(impl)), times(vs(impl, 'fastq')), times(vs(impl, 'p-queue'))]),
    );
    return {
      settings: { jobs: JOBS, concurrency: CONCURRENCY },
      summary: IMPLS.map((impl) => ({
        impl,
        tasksPerSec: of(impl),
        vsFastq: vs(impl, 'fastq'),
        vsPQueue: vs(impl, 'p-queue'),
        vsPLimit: vs(impl, 'p-limit'),
      })),
      runs,
      tables: [
        `pool: ${num(JOBS)} tasks (\`async () => 1\`) submitted at once, concurrency ${CONCURRENCY}, until all settle; median of 5 batches per process, ${settings.rounds} processes each, medians\n\n${table}`,
      ],
      findings: [
        goal('pool: WorkerPool tasks/s ÷ fastq', vs('workerpool', 'fastq'), '≥', 1.0),
        goal('pool: WorkerPool tasks/s ÷ p-queue', vs('workerpool', 'p-queue'), '≥', 3.0),
      ],
    };
  },
};

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
