import { Gauge, type Registry } from 'prom-client';
import type { ExportsRepository } from './exports.repository';

const QUANTILES = [0.5, 0.9, 0.99] as const;

/**
 * Export runs and their durations, read from the exports table when Prometheus scrapes. Runs happen in worker
 * processes, but Postgres holds every run's outcome: one scrape of the API sees all workers, crashed ones
 * included, and nothing is lost when a worker restarts. The numbers cover the runs still kept (EXPORT_TTL),
 * hence gauges rather than counters.
 */
export function registerRunMetrics(
  registry: Registry,
  repository: ExportsRepository,
  queuePrefix: string,
): void {
  new Gauge({
    name: 'tixport_export_runs',
    help: 'Runs kept in the exports table by kind, exporter, level and outcome (waiting, running, done, failed).',
    labelNames: ['kind', 'exporter', 'level', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await repository.runCounts(queuePrefix))
        this.set(
          { kind: row.kind, exporter: row.identifier, level: row.level, outcome: row.status },
          row.count,
        );
    },
  });
  new Gauge({
    name: 'tixport_export_run_duration_seconds',
    help: 'Run time of the finished runs kept, as quantiles, by kind, exporter and level.',
    labelNames: ['kind', 'exporter', 'level', 'quantile'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await repository.runDurations(queuePrefix, QUANTILES))
        for (const { quantile, seconds } of row.quantiles)
          this.set(
            { kind: row.kind, exporter: row.identifier, level: row.level, quantile: String(quantile) },
            seconds,
          );
    },
  });
}
