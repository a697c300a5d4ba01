// /metrics for the whole cluster: prom-client's AggregatorRegistry, which
// node:cluster's primary uses to gather every process's registry over IPC and
// sum them. A scrape lands on one process, so that process asks the primary,
// the primary asks them all, and the sum goes back as the answer.

import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { isClusterMessage, type MetricsAnswer, type MetricsRequest } from './cluster-messages';

/** prom-client gives up on a process that does not answer after 5 s; this waits a little longer. */
const ANSWER_TIMEOUT_MS = 6000;

const registries: Registry[] = [];
let lastId = 0;
const waiting = new Map<number, (answer: MetricsAnswer) => void>();

/** In a cluster process: the primary may ask for `registry` (and any other app's in this process). */
export function joinClusterMetrics(registry: Registry): void {
  if (registries.length === 0) {
    // Constructing one starts prom-client's listener for the primary's requests.
    new AggregatorRegistry();
    process.on('message', (message: unknown) => {
      if (!isClusterMessage(message) || message.httppool !== 'metrics-answer') return;
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    });
  }
  registries.push(registry);
  AggregatorRegistry.setRegistries(registries);
}

/** In a cluster process: every process's metrics, summed by the primary. */
export function clusterMetricsText(): Promise<string> {
  const id = ++lastId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`the primary did not answer within ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    waiting.set(id, (answer) => {
      clearTimeout(timer);
      if (answer.text !== undefined) resolve(answer.text);
      else reject(new Error(answer.error ?? 'no metrics'));
    });
    const request: MetricsRequest = { httppool: 'metrics', id };
    (process.send as NonNullable<typeof process.send>)(request);
  });
}

/** In the primary: answers each process's request for the cluster's metrics. */
export class ClusterMetricsSource {
  private readonly aggregator = new AggregatorRegistry();

  /** Answers `message` if it asks for metrics; true if it did. */
  answer(worker: Worker, message: unknown): boolean {
    if (!isClusterMessage(message) || message.httppool !== 'metrics') return false;
    const { id } = message;
    const reply = (answer: MetricsAnswer): void => {
      if (worker.isConnected()) worker.send(answer);
    };
    this.aggregator.clusterMetrics().then(
      (text) => reply({ httppool: 'metrics-answer', id, text }),
      (error: unknown) => reply({ httppool: 'metrics-answer', id, error: (error as Error).message }),
    );
    return true;
  }
}
