// The module piscina runs in every thread: it loads the task module a run
// names (once per thread), calls it with the request's snapshot, and hands
// the answer back with its body's bytes transferred rather than copied.

import Piscina from 'piscina';
import { pathToFileURL } from 'node:url';
import type { ThreadAnswer, ThreadHttpError, ThreadRun, ThreadTask } from './thread-task';

const loaded = new Map<string, Promise<Record<string, unknown>>>();

export default async function runThreadTask(run: ThreadRun): Promise<unknown> {
  const url = run.module.startsWith('file:') ? run.module : pathToFileURL(run.module).href;
  let module = loaded.get(url);
  if (module === undefined) {
    module = import(url) as Promise<Record<string, unknown>>;
    loaded.set(url, module);
  }
  const task = pick(await module, run.name, run.module);
  let answer: ThreadAnswer | undefined;
  try {
    answer = (await task(run.request)) as ThreadAnswer | undefined;
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === undefined) throw error; // a 500, with its stack, on the main thread
    const { message, expose } = error as { message?: unknown; expose?: unknown };
    const crossing: ThreadHttpError = {
      httppoolThreadError: {
        statusCode: status,
        message: typeof message === 'string' ? message : '',
        expose: typeof expose === 'boolean' ? expose : status < 500,
      },
    };
    return crossing;
  }
  return movable(answer ?? {});
}

/** The HTTP status an error thrown in a task carries, if any (HttpError, http-errors). */
function httpStatusOf(error: unknown): number | undefined {
  const { statusCode, status } = (error ?? {}) as { statusCode?: unknown; status?: unknown };
  const value = statusCode ?? status;
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599 ? value : undefined;
}

function pick(module: Record<string, unknown>, name: string | undefined, file: string): ThreadTask {
  const candidate = name === undefined ? (module['default'] ?? module) : module[name];
  // A CommonJS module's `module.exports = fn` arrives as `default`; its named exports, on `default` too.
  const inner =
    typeof candidate === 'function' ? candidate : (candidate as Record<string, unknown> | undefined)?.['default'];
  if (typeof inner !== 'function') {
    throw new TypeError(
      `Thread task ${file}: no function export ${name === undefined ? '(default)' : JSON.stringify(name)}`,
    );
  }
  return inner as ThreadTask;
}

// A body whose bytes fill their own ArrayBuffer moves to the main thread;
// one sharing a pooled buffer (small Buffer.from strings) is copied, since
// moving the pool would take other Buffers' bytes with it.
function movable(answer: ThreadAnswer): unknown {
  const body = answer.body;
  if (!(body instanceof Uint8Array) || body.byteOffset !== 0 || body.byteLength !== body.buffer.byteLength)
    return answer;
  if (!(body.buffer instanceof ArrayBuffer)) return answer;
  return Piscina.move({
    [Piscina.transferableSymbol]: [body.buffer],
    [Piscina.valueSymbol]: answer,
  } as unknown as ArrayBuffer);
}
