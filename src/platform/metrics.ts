import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export { Registry as MetricsRegistry };

/** One registry per app (tests build several apps in one process), with Node's process metrics. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Jobs per queue and state, read from Redis when Prometheus scrapes (Redis is where the queues are). */
export function registerQueueDepth(registry: Registry, queues: readonly Queue[]): void {
  new Gauge({
    name: 'tixport_queue_jobs',
    help: 'Jobs in each BullMQ queue by state (waiting, active, delayed, failed).',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of queues) {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
}
