// What every server in the benchmarks answers, in one place so they all do the
// same work: the sample page, the users, and the overload scenario's handler.

import { setTimeout as sleep } from 'node:timers/promises';
import { SAMPLE_PAGE } from '../../controllers/sample.controller';
import { UserService } from '../../controllers/user.service';

export { SAMPLE_PAGE };
export const HTML = 'text/html; charset=utf-8';

/** The same user table httppool's UserController is injected with. */
export const users = new UserService();

/** The overload handler's CPU burn and then its wait (a service with a real bottleneck). */
export const WORK_CPU_MS = 1;
export const WORK_WAIT_MS = 10;

/** Holds the thread for `ms` of wall time, as a synchronous step of real work would. */
export function burnCpu(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

/** 1 ms of CPU, then 10 ms of waiting (a database call, say). */
export async function doWork(): Promise<{ ok: true }> {
  burnCpu(WORK_CPU_MS);
  await sleep(WORK_WAIT_MS);
  return { ok: true };
}

/** The pipelined phase's handler: 5 ms of waiting and no CPU (TechEmpower's plaintext shape, with a wait). */
export const BRIEF_WAIT_MS = 5;

export async function waitBriefly(): Promise<{ ok: true }> {
  await sleep(BRIEF_WAIT_MS);
  return { ok: true };
}
