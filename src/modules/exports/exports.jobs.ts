import type { ConnectionOptions, JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';
import type { Logger } from '../../platform/logger';
import { createQueue, enqueue } from '../../platform/queues';

/** The producer side of the run queue: what the API (and anything starting runs) needs. No worker code. */
export const EXPORTS_QUEUE = 'exports';
export const RUN_EXPORT_JOB = 'exports.run';

/** A job carries the run's id only; everything else is read from Postgres when it runs. */
export const RunExportJob = z.object({ exportId: z.string().uuid() });
export type RunExportJob = z.infer<typeof RunExportJob>;

export type ExportsQueue = Queue<RunExportJob>;

/** One job per run: BullMQ refuses a second job with the same id while the first exists. */
export function jobIdOf(exportId: string): string {
  return `export-${exportId}`;
}

export function createExportsQueue(
  connection: ConnectionOptions,
  prefix: string,
  logger?: Logger,
): ExportsQueue {
  const queue = createQueue<RunExportJob>(EXPORTS_QUEUE, connection, prefix);
  // Connection errors surface on the calls (503); the event only needs a listener so they are not printed.
  queue.on('error', (error: Error) => logger?.debug({ err: error.message }, 'exports queue error'));
  return queue;
}

export function exportJobOptions(exportId: string): JobsOptions {
  return {
    jobId: jobIdOf(exportId),
    // A job whose row is not visible yet (the caller's transaction commits after enqueueing) is retried, and so
    // is a run whose completion hook failed (a mail server that is down).
    attempts: 5,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: true,
    removeOnFail: { count: 1000 },
  };
}

/** Enqueues a run; 503 when Redis is unreachable, so the caller's transaction rolls back. */
export async function enqueueExport(queue: ExportsQueue, exportId: string): Promise<void> {
  await enqueue(queue, RUN_EXPORT_JOB, { exportId }, exportJobOptions(exportId));
}
