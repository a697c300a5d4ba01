// AppMetrics: one app's Prometheus metrics, in a registry of its own.
//
// Pool and queue gauges are read when scraped (a `collect` hook), so keeping
// them current costs nothing per request; counters and histograms are updated
// as requests end.

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { inHttpPoolCluster } from '../cluster/cluster-messages';
import { clusterMetricsText, joinClusterMetrics } from '../cluster/cluster-metrics';
import { BucketHistogram } from './bucket-histogram';
import type { StaticStats } from '../static/file-cache';
import type { ShedReason } from '../jobs/shedding';
import type { PoolStats } from '../jobs/worker-pool';
import type { ThreadStats } from '../threads/thread-pool';

export interface MetricsOptions {
  /** Where Prometheus text is served (default `/metrics`). */
  path?: string;
  /** Also collect prom-client's default process metrics (default false). */
  defaultMetrics?: boolean;
}

interface RequestCount {
  labels: Record<'route' | 'method' | 'status', string | number>;
  count: number;
}

// Seconds; from sub-millisecond hello routes to the default 30 s handler deadline.
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class AppMetrics {
  readonly registry = new Registry();
  /** Started by runCluster: /metrics answers for every process. */
  private readonly inCluster = inHttpPoolCluster();
  /** route → method → status → its labels and count. */
  private readonly requestCounts = new Map<string, Map<string, Map<number, RequestCount>>>();
  private readonly shedCounts = new Map<ShedReason, number>();
  private readonly queueWait: BucketHistogram;
  private readonly handlerDuration: BucketHistogram;

  constructor(
    stats: () => PoolStats,
    options: MetricsOptions = {},
    staticStats?: () => StaticStats,
    threadStats?: () => ThreadStats,
  ) {
    const registers = [this.registry];
    // A gauge read when scraped: the pool and the cache keep their own counts.
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };
    gauge('httppool_pool_workers', 'Workers in the pool: how many jobs may run at once', () => stats().workers);
    gauge('httppool_pool_busy', 'Workers running a job now', () => stats().busy);
    gauge('httppool_queue_depth', 'Jobs waiting in the queue for a worker', () => stats().queued);
    // Counted here, handed to prom-client when scraped: its Counter hashes the
    // label object on every inc(), ~250 ns a request in a microbenchmark.
    const requestCounts = this.requestCounts;
    new Counter({
      name: 'httppool_requests_total',
      help: 'Requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
      collect() {
        this.reset();
        for (const methods of requestCounts.values()) {
          for (const statuses of methods.values()) {
            for (const { labels, count } of statuses.values()) this.inc(labels, count);
          }
        }
      },
    });
    const shedCounts = this.shedCounts;
    new Counter({
      name: 'httppool_shed_total',
      help: 'Requests answered 503 without their work: queue full, queue timeout, queue delay (CoDel), shutting down, input full',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of shedCounts) this.inc({ reason }, count);
      },
    });
    this.queueWait = new BucketHistogram(
      'httppool_queue_wait_seconds',
      'Time jobs waited in the queue before a worker took them',
      BUCKETS,
      undefined,
      this.registry,
    );
    this.handlerDuration = new BucketHistogram(
      'httppool_handler_duration_seconds',
      'Time handlers held a worker, by route pattern',
      BUCKETS,
      'route',
      this.registry,
    );
    if (staticStats !== undefined) {
      gauge('httppool_static_cache_hits', 'Static files answered from memory', () => staticStats().hits);
      gauge('httppool_static_cache_misses', 'Static files read from disk', () => staticStats().misses);
      gauge('httppool_static_cache_bytes', 'Bytes of static files held in memory', () => staticStats().bytes);
      gauge('httppool_static_cache_entries', 'Static files held in memory', () => staticStats().entries);
    }
    if (threadStats !== undefined) {
      gauge('httppool_threads', 'Worker threads in the thread pool', () => threadStats().threads);
      gauge('httppool_threads_busy', 'Worker threads running a task', () => threadStats().busyThreads);
      gauge('httppool_threads_queued', 'Thread tasks waiting for a thread', () => threadStats().queuedTasks);
      gauge('httppool_threads_completed', 'Thread tasks finished since start', () => threadStats().completedTasks);
      gauge(
        'httppool_threads_task_p99_seconds',
        '99th percentile thread task run time',
        () => threadStats().taskMsP99 / 1000,
      );
    }
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: this.registry });
    if (this.inCluster) joinClusterMetrics(this.registry);
  }

  /** A request was answered. `route` is the route pattern, or `(unmatched)`. */
  recordRequest(route: string, method: string, status: number): void {
    // Nested maps: route and method are strings the app and node's parser
    // reuse, so each lookup hashes nothing new (a joined key cost ~0.15 µs).
    let methods = this.requestCounts.get(route);
    if (methods === undefined) this.requestCounts.set(route, (methods = new Map()));
    let statuses = methods.get(method);
    if (statuses === undefined) methods.set(method, (statuses = new Map()));
    const entry = statuses.get(status);
    if (entry !== undefined) entry.count++;
    else statuses.set(status, { labels: { route, method, status }, count: 1 });
  }

  recordShed(reason: ShedReason): void {
    this.shedCounts.set(reason, (this.shedCounts.get(reason) ?? 0) + 1);
  }

  recordQueueWait(ms: number): void {
    this.queueWait.observe('', ms / 1000);
  }

  recordHandlerDuration(route: string, ms: number): void {
    this.handlerDuration.observe(route, ms / 1000);
  }

  /**
   * The Prometheus text exposition. In a cluster process, the whole
   * cluster's (every process's figures summed by the primary), or this
   * process's own should the primary not answer.
   */
  text(): Promise<string> {
    if (!this.inCluster) return this.registry.metrics();
    return clusterMetricsText().catch(() => this.registry.metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
