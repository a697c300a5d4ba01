// queue: JobQueue against Array and denque holding the same job objects;
// remove() across depths; heap per queued job; a 100,000-worker pool at rest.
// Every measurement runs in a fresh process (bench/children/queue.ts).

import { REPO_ROOT } from '../lib/results';
import { forkChild } from '../lib/fork-child';
import { goal, type Scenario, type ScenarioContext, type ScenarioOutput } from '../lib/scenario';
import { median, ratio } from '../lib/stats';
import { sourceLocation } from '../lib/cpu-profile';
import { markdownTable, num, times } from '../lib/table';

/** Depths for offer/poll; `touch`: the polled job is written to, as WorkerPool does. */
const THROUGHPUT_CASES = [
  { depth: 1e3, touch: false, label: 'depth 1,000' },
  { depth: 1e5, touch: false, label: 'depth 100,000' },
  { depth: 1e5, touch: true, label: 'depth 100,000, job touched' },
] as const;
type ThroughputCase = (typeof THROUGHPUT_CASES)[number];
const REMOVE_DEPTHS = [1e3, 1e4, 1e5, 1e6];
const HEAP_JOBS = 1e5;
const HEAP_HTTP_REQUESTS = 2e4;
const POOL_WORKERS = 1e5;
const GC = ['--expose-gc'];

const QUEUES = ['jobqueue', 'denque', 'array', 'intrusive'] as const;
const REMOVERS = ['jobqueue', 'intrusive', 'array'] as const;
const LABEL: Record<string, string> = {
  jobqueue: 'JobQueue',
  denque: 'denque',
  array: 'Array push/shift',
  intrusive: 'bare intrusive list (reference, bench/ only)',
};
const REMOVE_LABEL: Record<string, string> = {
  jobqueue: 'JobQueue.remove(entry)',
  intrusive: 'bare intrusive list remove(job) (reference)',
  array: 'Array indexOf + splice',
};

export const queue: Scenario = {
  name: 'queue',
  description: 'JobQueue offer/poll and remove() against Array and denque; heap per queued job',
  async run({ settings }: ScenarioContext): Promise<ScenarioOutput> {
    const log = (line: string): void => console.log(`[queue] ${line}`);
    const rounds = settings.rounds;

    // Throughput: ops/s, one op = one job out at the head and back in at the tail.
    const throughput: Array<{ impl: string; case: string; round: number; opsPerSec: number }> = [];
    for (let round = 0; round < rounds; round++) {
      for (const test of THROUGHPUT_CASES) {
        for (const impl of rotate(QUEUES, round)) {
          const args = ['offer-poll', impl, String(test.depth), ...(test.touch ? ['touch'] : [])];
          const { opsPerSec } = await forkChild<{ opsPerSec: number }>('queue', args, GC);
          throughput.push({ impl, case: test.label, round, opsPerSec });
          log(`offer/poll round ${round + 1}/${rounds} ${test.label} ${LABEL[impl]}: ${num(opsPerSec)} ops/s`);
        }
      }
    }
    const opsOf = (impl: string, test: ThroughputCase): number =>
      median(throughput.filter((t) => t.impl === impl && t.case === test.label).map((t) => t.opsPerSec));
    const vsOf = (impl: string, other: string, test: ThroughputCase): number =>
      median(
        throughput
          .filter((t) => t.impl === impl && t.case === test.label)
          .map((t) => {
            const base = throughput.find((o) => o.impl === other && o.case === test.label && o.round === t.round);
            return ratio(t.opsPerSec, base?.opsPerSec ?? Number.NaN);
          }),
      );
    const [shallow, deep, deepTouched] = THROUGHPUT_CASES;

    // remove(): ns per removal of a job from a random place.
    const removes: Array<{ impl: string; depth: number; round: number; nsPerRemove: number }> = [];
    for (let round = 0; round < rounds; round++) {
      for (const depth of REMOVE_DEPTHS) {
        for (const impl of rotate(REMOVERS, round)) {
          const { nsPerRemove } = await forkChild<{ nsPerRemove: number }>(
            'queue',
            ['remove', impl, String(depth)],
            GC,
          );
          removes.push({ impl, depth, round, nsPerRemove });
          log(`remove round ${round + 1}/${rounds} depth ${num(depth)} ${impl}: ${num(nsPerRemove)} ns`);
        }
      }
    }
    const removeOf = (impl: string, depth: number): number =>
      median(removes.filter((r) => r.impl === impl && r.depth === depth).map((r) => r.nsPerRemove));

    // Heap: bytes per queued job; per HTTP request waiting in httppool; a big pool at rest.
    const heaps: Array<{ impl: string; queueBytesPerJob: number; withJobBytesPerJob: number }> = [];
    for (const impl of QUEUES) {
      const value = await forkChild<{ queueBytesPerJob: number; withJobBytesPerJob: number }>(
        'queue',
        ['heap', impl, String(HEAP_JOBS)],
        GC,
      );
      heaps.push({ impl, ...value });
      log(
        `heap ${LABEL[impl]}: ${num(value.queueBytesPerJob, 1)} B/job in the queue, ${num(value.withJobBytesPerJob, 1)} B with the job`,
      );
    }
    const http = await forkChild<{
      bytesPerQueuedRequest: number;
      requestClass: string;
      queued: number;
      sites: Array<{ functionName: string; url: string; line: number; bytesPerRequest: number }>;
    }>('queue', ['heap-http', String(HEAP_HTTP_REQUESTS)], GC);
    log(
      `heap per queued HTTP request: ${num(http.bytesPerQueuedRequest, 1)} B (${num(http.queued)} queued, ${http.requestClass})`,
    );
    const pool = await forkChild<{ poolBytes: number }>('queue', ['heap-pool', String(POOL_WORKERS)], GC);
    log(`heap of a ${num(POOL_WORKERS)}-worker pool at rest: ${num(pool.poolBytes)} B`);

    const throughputTable = markdownTable(
      ['queue', ...THROUGHPUT_CASES.flatMap((test) => [`ops/s, ${test.label}`, '× denque'])],
      QUEUES.map((impl) => [
        LABEL[impl] as string,
        ...THROUGHPUT_CASES.flatMap((test) => [num(opsOf(impl, test)), times(vsOf(impl, 'denque', test))]),
      ]),
    );
    const removeTable = markdownTable(
      [
        'remove from a random place',
        ...REMOVE_DEPTHS.map((d) => `ns at depth ${num(d)}`),
        `depth ${num(1e6)} ÷ depth ${num(1e3)}`,
      ],
      REMOVERS.map((impl) => [
        REMOVE_LABEL[impl] as string,
        ...REMOVE_DEPTHS.map((d) => num(removeOf(impl, d))),
        times(ratio(removeOf(impl, 1e6), removeOf(impl, 1e3))),
      ]),
    );
    const heapTable = markdownTable(
      ['heap', 'bytes per queued job (queue only)', 'bytes with the job object'],
      [
        ...heaps.map((h) => [LABEL[h.impl] as string, num(h.queueBytesPerJob, 1), num(h.withJobBytesPerJob, 1)]),
        ['httppool: one HTTP request waiting in the queue', num(http.bytesPerQueuedRequest, 1), '(req/res excluded)'],
        [`WorkerPool of ${num(POOL_WORKERS)} workers at rest`, `${num(pool.poolBytes)} in all`, ''],
      ],
    );
    const sitesTable = markdownTable(
      ['what one queued HTTP request keeps alive, by allocating function', 'where', 'bytes/request'],
      http.sites.map((site) => [
        site.functionName || '(anonymous)',
        sourceLocation(site.url, site.line - 1, 0, REPO_ROOT),
        num(site.bytesPerRequest, 1),
      ]),
    );
    const jobQueueHeap = heaps.find((h) => h.impl === 'jobqueue');
    return {
      settings: {
        throughputCases: THROUGHPUT_CASES,
        removeDepths: REMOVE_DEPTHS,
        heapJobs: HEAP_JOBS,
        heapHttpRequests: HEAP_HTTP_REQUESTS,
        poolWorkers: POOL_WORKERS,
      },
      summary: {
        offerPoll: QUEUES.flatMap((impl) =>
          THROUGHPUT_CASES.map((test) => ({
            impl,
            ...test,
            opsPerSec: opsOf(impl, test),
            vsDenque: vsOf(impl, 'denque', test),
            vsArray: vsOf(impl, 'array', test),
          })),
        ),
        remove: REMOVERS.flatMap((impl) =>
          REMOVE_DEPTHS.map((depth) => ({ impl, depth, nsPerRemove: removeOf(impl, depth) })),
        ),
        heap: heaps,
        heapPerQueuedHttpRequest: http,
        poolAtRest: { workers: POOL_WORKERS, ...pool },
      },
      runs: { throughput, removes },
      tables: [
        `queue offer/poll: one op = the oldest job out and back in at the tail, the queue held at that depth; "job touched": the polled job is written to, as WorkerPool does (so every queue pays the cache miss on a cold job); the same job objects in every queue; ${rounds} rounds, medians\n\n${throughputTable}`,
        `queue remove(): ns per removal of a random job (then put back), medians over ${rounds} rounds\n\n${removeTable}`,
        `queue heap: ${num(HEAP_JOBS)} jobs queued, heapUsed after gc(), per job; HTTP: ${num(HEAP_HTTP_REQUESTS)} requests dispatched to a pool with one busy worker\n\n${heapTable}`,
        `queue heap, HTTP: V8's sampling heap profiler (live objects) over those ${num(HEAP_HTTP_REQUESTS)} dispatches\n\n${sitesTable}`,
      ],
      findings: [
        goal('queue: JobQueue ops/s ÷ denque at depth 1e5', vsOf('jobqueue', 'denque', deep), '≥', 0.8),
        goal(
          'queue: JobQueue ops/s ÷ denque at depth 1e5, job touched',
          vsOf('jobqueue', 'denque', deepTouched),
          '≥',
          0.8,
        ),
        goal('queue: JobQueue ops/s ÷ Array push/shift at depth 1e5', vsOf('jobqueue', 'array', deep), '≥', 50),
        `info   queue: JobQueue remove() is O(1): ${num(removeOf('jobqueue', 1e3))} ns at depth 1e3, ${num(removeOf('jobqueue', 1e6))} ns at 1e6 ` +
          `(${times(ratio(removeOf('jobqueue', 1e6), removeOf('jobqueue', 1e3)))}: cache misses in a list that no longer fits in cache; ` +
          `Array indexOf + splice grows ${times(ratio(removeOf('array', 1e6), removeOf('array', 1e3)))})`,
        `info   queue: a bare intrusive list (reference, no bound or handles) does ${times(vsOf('intrusive', 'denque', shallow))} denque at depth 1e3, ` +
          `${times(vsOf('intrusive', 'denque', deep))} at 1e5, ${times(vsOf('intrusive', 'denque', deepTouched))} at 1e5 with the job touched; ` +
          `JobQueue ${times(vsOf('jobqueue', 'denque', shallow))}, ${times(vsOf('jobqueue', 'denque', deep))}, ${times(vsOf('jobqueue', 'denque', deepTouched))}`,
        goal('queue: JobQueue bytes per queued job', jobQueueHeap?.queueBytesPerJob ?? Number.NaN, '≤', 200, ' B'),
        goal(
          'queue: bytes per queued HTTP request (HttpJob, node, bookkeeping)',
          http.bytesPerQueuedRequest,
          '≤',
          200,
          ' B',
        ),
      ],
    };
  },
};

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
