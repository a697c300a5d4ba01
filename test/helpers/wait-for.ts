// Bounded waiting: for a server-side state to be reached, or for a promise to settle.

const STEP_MS = 10;
const IMMEDIATE_STEPS = 20;

/**
 * Polls `condition` until it holds: first on a few setImmediate turns, then
 * every 10 ms, failing after `capMs`. For states the test cannot await
 * directly, such as `app.pool.stats().queued === 1`.
 */
export async function waitFor(condition: () => boolean, what: string, capMs = 2000): Promise<void> {
  const deadline = Date.now() + capMs;
  for (let step = 0; !condition(); step++) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${capMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => {
      if (step < IMMEDIATE_STEPS) setImmediate(resolve);
      else setTimeout(resolve, STEP_MS);
    });
  }
}

/** Resolves (or rejects) as `promise` does, or rejects after `ms` naming `what`. */
export async function within<T>(promise: Promise<T>, what: string, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the rejection reason of `promise`; fails if it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject, but it resolved');
}

/**
 * Marks a promise the test will await later as handled now, so that if the
 * test fails before awaiting it, its rejection is not reported as unhandled.
 */
export function inFlight<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Lets pending I/O callbacks and immediates run `turns` times. */
export async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
