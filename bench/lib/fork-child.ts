// Runs a micro-benchmark in a fresh node process and returns the one result it sends back.
// A fresh process per measurement keeps one implementation's JIT state and
// garbage out of the next one's numbers, and lets heap measurements use --expose-gc.

import { fork } from 'node:child_process';
import path from 'node:path';

/** Runs dist/bench/children/<script>.js with `args` and resolves with the message it sends. */
export function forkChild<T>(script: string, args: readonly string[], execArgv: readonly string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, '..', 'children', `${script}.js`), [...args], {
      execArgv: [...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: { ok: true; value: T } | { ok: false; message: string } | undefined;
    child.on('message', (message: { ok: true; value: T } | { ok: false; message: string }) => {
      result = message;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (result?.ok === true) resolve(result.value);
      else reject(new Error(`${script} ${args.join(' ')}: ${result?.message ?? `exited with code ${String(code)}`}`));
    });
  });
}

/** The child side: runs `main` and sends its result (or its error) to the parent, then exits. */
export function childMain<T>(main: (args: string[]) => Promise<T> | T): void {
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .then(
      (value) => process.send?.({ ok: true, value }, () => process.exit(0)),
      (error: unknown) =>
        process.send?.(
          { ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) },
          () => process.exit(1),
        ),
    );
}
