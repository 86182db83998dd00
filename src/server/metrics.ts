// Prometheus metrics of the host service (prom-client), one registry per server so that two
// servers in one process (tests, an embedded registry) do not mix their numbers.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  pool: () => { workers: number; busy: number; queued: number; warm: number; sessions: number };
  /** Widgets whose circuit breaker is open. */
  suspended: () => number;
  /** Age of the kill-switch snapshot in seconds; null when there is no registry (development). */
  snapshotAgeSeconds?: () => number | null;
}

/** Which cap an error code (and its details.by) stands for, if any. */
export function capKind(code: string, by: unknown): string | null {
  switch (code) {
    case 'SPH_ERR_FUEL_EXHAUSTED':
      return by === 'cpu-time' ? 'cpu-time' : 'fuel';
    case 'SPH_ERR_MEMORY_LIMIT':
      return 'memory';
    case 'SPH_ERR_WALL_TIMEOUT':
      return 'wall';
    case 'SPH_ERR_OUTPUT_LIMIT':
      return 'output';
    case 'SPH_ERR_EGRESS_DENIED':
      return 'egress';
    default:
      return null;
  }
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly renders: Counter<'widget' | 'outcome'>;
  readonly renderSeconds: Histogram<'widget' | 'outcome'>;
  readonly capHits: Counter<'kind'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'summit_host_' });
    this.renders = new Counter({
      name: 'summit_renders_total',
      help: 'Renders by widget and outcome (ok or the SPH_ERR_* code).',
      labelNames: ['widget', 'outcome'],
      registers,
    });
    this.renderSeconds = new Histogram({
      name: 'summit_render_duration_seconds',
      help: 'Render API latency, from the request being admitted to the response being ready.',
      labelNames: ['widget', 'outcome'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5],
      registers,
    });
    this.capHits = new Counter({
      name: 'summit_cap_hits_total',
      help: 'Renders stopped by a cap: fuel, cpu-time, memory, wall, output, egress.',
      labelNames: ['kind'],
      registers,
    });
    const pool = (field: 'workers' | 'busy' | 'queued' | 'warm' | 'sessions', help: string) =>
      new Gauge({
        name: `summit_pool_${field}`,
        help,
        registers,
        collect() {
          this.set(sources.pool()[field]);
        },
      });
    pool('workers', 'Sandbox workers alive.');
    pool('busy', 'Sandbox workers running a render.');
    pool('queued', 'Renders waiting for a worker.');
    pool('warm', 'Instances made ahead of renders, waiting for one.');
    pool('sessions', 'Instances kept for the next render of a tenant (widget sessions).');
    new Gauge({
      name: 'summit_widgets_suspended',
      help: 'Widgets suspended by the circuit breaker after running into their caps again and again.',
      registers,
      collect() {
        this.set(sources.suspended());
      },
    });
    new Gauge({
      name: 'summit_kill_switch_snapshot_age_seconds',
      help: 'Age of the newest verified kill-switch snapshot (absent without a registry).',
      registers,
      collect() {
        const age = sources.snapshotAgeSeconds?.() ?? null;
        if (age === null) this.reset();
        else this.set(age);
      },
    });
  }

  observe(widget: string, outcome: string, seconds: number, by?: unknown): void {
    this.renders.inc({ widget, outcome });
    this.renderSeconds.observe({ widget, outcome }, seconds);
    const kind = outcome === 'ok' ? null : capKind(outcome, by);
    if (kind) this.capHits.inc({ kind });
  }
}
