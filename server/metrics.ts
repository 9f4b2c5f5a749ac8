/**
 * Prometheus text exposition without a client library: a handful of counters and one histogram
 * are all the service exports, and this keeps the hot path to an integer add.
 */
import type { AlertSink } from './sinks';

type Labels = Record<string, string>;

const key = (l?: Labels) => (l ? Object.entries(l).sort().map(([k, v]) => `${k}="${v.replace(/"/g, '\\"')}"`).join(',') : '');

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(by = 1, labels?: Labels): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels?: Labels): number {
    return this.values.get(key(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private n = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.n++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) this.counts[i]++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.n}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.n}`);
    return lines.join('\n');
  }
}

export class Metrics {
  readonly fixesAccepted = new Counter('carewatch_fixes_accepted_total', 'Fixes accepted by ingest');
  readonly fixesRejected = new Counter('carewatch_fixes_rejected_total', 'Fixes rejected by ingest, by reason code');
  readonly alertsRaised = new Counter('carewatch_alerts_raised_total', 'Alerts raised, by kind');
  readonly detectorFailures = new Counter('carewatch_detector_failures_total', 'Detector exceptions (isolated)');
  readonly detectionLagMs = new Histogram('carewatch_fix_to_alert_ms', 'From the fix ts to the alert raised, ms', [
    5, 10, 25, 50, 100, 250, 500, 1000, 5000,
  ]);
  readonly sinkFailures = new Counter('carewatch_sink_failures_total', 'Fix and alert sinks that threw (isolated; the other sinks ran), by sink');
  /** The alert sink that counts raised alerts. */
  readonly alertSink: AlertSink = {
    name: 'metrics',
    onAlert: (alert, change) => {
      if (change === 'raised') this.alertsRaised.inc(1, { kind: alert.kind });
    },
  };
  private readonly gauges: (() => string)[] = [];

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.push(() => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${read()}`);
  }

  render(): string {
    return (
      [this.fixesAccepted, this.fixesRejected, this.alertsRaised, this.detectorFailures, this.sinkFailures, this.detectionLagMs]
        .map((m) => m.render())
        .concat(this.gauges.map((g) => g()))
        .join('\n') + '\n'
    );
  }
}
