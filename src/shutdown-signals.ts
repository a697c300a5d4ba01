// Graceful shutdown on signals (option `shutdownSignals`): the first signal
// closes the app, then is raised again once no listener of ours is left, so
// the process ends as the signal meant it to (exit status 128 + n) instead of
// lingering on whatever else holds the event loop. A second signal while the
// app closes ends the process at once: an operator pressing Ctrl-C twice means it.

import type { Logger } from 'pino';

/** Listens for `signals`; returns the function that stops listening. */
export function closeOnSignals(
  signals: readonly NodeJS.Signals[],
  close: () => Promise<void>,
  logger: Logger,
): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  let closing = false;
  const detach = (): void => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    handlers.clear();
  };
  const raise = (signal: NodeJS.Signals): void => {
    detach();
    process.kill(process.pid, signal);
  };
  for (const signal of signals) {
    const handler = (): void => {
      if (closing) {
        logger.warn({ signal }, 'second signal while closing: exiting now');
        raise(signal);
        return;
      }
      closing = true;
      logger.info({ signal }, 'signal received: closing gracefully');
      close().then(
        () => raise(signal),
        (error: unknown) => {
          logger.error({ err: error, signal }, 'closing on a signal failed');
          raise(signal);
        },
      );
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return detach;
}
