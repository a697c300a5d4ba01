// Shedding: a request turned away without its work is answered 503 here, for
// one of five reasons, and told when to come back. The supervisor is the only
// caller; the reasons are the `shed` counts of `app.stats()` and the
// `httppool_shed_total` metric.

import { prebuild, type PrebuiltAnswer } from '../answers/error-answer';
import { InputFullError, QueueFullError, QueueTimeoutError, ShuttingDownError, type HttpError } from '../errors';

/** Why a request was answered 503 without running. */
export type ShedReason = 'queue_full' | 'queue_timeout' | 'queue_delay' | 'shutting_down' | 'input_full';

/**
 * Seconds a client of the pool's own `run()` is told to wait: outside HTTP
 * there is no drain time to tell. Shed HTTP requests are told RetryAfter's.
 */
export const RETRY_AFTER_SECONDS = 1;

/** The queue-full 503s, one per `Retry-After`, each serialised once when first needed. */
const queueFullAnswers: PrebuiltAnswer[] = [];

/**
 * The queue-full 503 telling the client to come back in `retryAfterSeconds`,
 * serialised once: it is the answer sent thousands of times a second exactly
 * when the server is busiest.
 */
export function queueFull(retryAfterSeconds: number): PrebuiltAnswer {
  return (queueFullAnswers[retryAfterSeconds] ??= prebuild(new QueueFullError(retryAfterSeconds)));
}

/** The 503 for a request shed before its body was read (`inputLimits`). */
export const INPUT_FULL: PrebuiltAnswer = prebuild(new InputFullError(RETRY_AFTER_SECONDS));

/** The 503 for a job that waited in the queue past `timeoutMs`. */
export function queueTimeout(timeoutMs: number, retryAfterSeconds: number): HttpError {
  return new QueueTimeoutError(timeoutMs, retryAfterSeconds);
}

/** The 503 (with `Connection: close`) for a request that came while the app closes. */
export function shuttingDown(): HttpError {
  return new ShuttingDownError();
}
