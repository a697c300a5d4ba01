// BucketHistogram: a Prometheus histogram cheap enough to observe on every
// request, exposed through a prom-client registry.
//
// prom-client's own Histogram hashes the label object on every observe()
// (~270 ns, more in a busy server); here a label value maps to its bucket
// counts once, and an observation is a bucket scan and two additions. The
// registry only calls `get()` when scraped.

import type { Metric, Registry } from 'prom-client';

/** One exposition line, as prom-client's registry formats it. */
interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

interface Series {
  /** Non-cumulative counts per bucket; cumulated at scrape. */
  buckets: number[];
  sum: number;
  count: number;
}

export class BucketHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<string, Series>();

  /**
   * @param labelName the one label the series are split by, or undefined for one series.
   * @param bounds bucket upper bounds, ascending (+Inf is implied).
   */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    private readonly labelName: string | undefined,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** Records `value` under the label value `label` ('' when the histogram has no label). */
  observe(label: string, value: number): void {
    let series = this.series.get(label);
    if (series === undefined) {
      series = { buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
      this.series.set(label, series);
    }
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    if (i < bounds.length) (series.buckets[i] as number)++;
    series.sum += value;
    series.count++;
  }

  reset(): void {
    this.series.clear();
  }

  /** What prom-client's registry reads when scraped: the same shape its own Histogram gives. */
  get(): { name: string; help: string; type: 'histogram'; values: Sample[]; aggregator: 'sum' } {
    const values: Sample[] = [];
    for (const [label, series] of this.series) {
      const labels = this.labelName === undefined ? {} : { [this.labelName]: label };
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.buckets[i] as number;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, ...labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...labels }, value: series.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
