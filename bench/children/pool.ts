// Pool micro-benchmark, one implementation per process (see bench/lib/fork-child.ts):
//   pool <workerpool|p-limit|p-queue|fastq> <jobs> <concurrency>
// submits `jobs` trivial async tasks at once at the given concurrency and
// waits for all of them; tasks per second, median of 5 batches after 2 warm-up batches.

import 'reflect-metadata';
import fastq from 'fastq';
import { JobQueue, WorkerPool, type PoolJob } from 'httppool';
import { childMain } from '../lib/fork-child';
import { median } from '../lib/stats';

type Task = () => Promise<number>;
type Submit = (task: Task) => Promise<unknown>;

// The trivial async job: an async function that returns at once.
const task: Task = async () => 1;

async function makeSubmit(impl: string, jobs: number, concurrency: number): Promise<Submit> {
  switch (impl) {
    case 'workerpool': {
      const pool = new WorkerPool(concurrency, new JobQueue<PoolJob>(jobs));
      return (job) => pool.run(job);
    }
    case 'p-limit': {
      // ESM-only: loaded with a real dynamic import from this CommonJS build.
      const { default: pLimit } = await import('p-limit');
      const limit = pLimit(concurrency);
      return (job) => limit(job);
    }
    case 'p-queue': {
      const { default: PQueue } = await import('p-queue');
      const queue = new PQueue({ concurrency });
      return (job) => queue.add(job);
    }
    case 'fastq': {
      // fastq's promise API, the one comparable to the others.
      const queue = fastq.promise((job: Task) => job(), concurrency);
      return (job) => queue.push(job);
    }
    default:
      throw new TypeError(`unknown pool ${impl}`);
  }
}

async function batch(submit: Submit, jobs: number): Promise<number> {
  const start = performance.now();
  const pending = new Array<Promise<unknown>>(jobs);
  for (let i = 0; i < jobs; i++) pending[i] = submit(task);
  await Promise.all(pending);
  return (jobs / (performance.now() - start)) * 1000;
}

childMain(async ([impl, jobsArg, concurrencyArg]) => {
  const jobs = Number(jobsArg);
  const submit = await makeSubmit(impl as string, jobs, Number(concurrencyArg));
  await batch(submit, jobs);
  await batch(submit, jobs);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) samples.push(await batch(submit, jobs));
  return { tasksPerSec: median(samples), samples };
});
