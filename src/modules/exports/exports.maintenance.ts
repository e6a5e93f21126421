import type { Logger } from '../../platform/logger';
import type { Storage } from '../../platform/storage';
import { every, type Tick } from '../../platform/ticks';
import { exportJobOptions, jobIdOf, RUN_EXPORT_JOB, type ExportsQueue } from './exports.jobs';
import type { ExportsRepository } from './exports.repository';
import { exportFileKeys } from './exports.runner';

/**
 * Re-enqueues runs that Postgres says need a job but whose job Redis no longer has (a Redis restart, a flushed
 * queue) or has given up on (stalled too often, a completion hook that kept failing). Runs at worker start and
 * periodically.
 */
export async function reconcileExports(
  repository: ExportsRepository,
  queue: ExportsQueue,
  logger: Logger,
): Promise<number> {
  let requeued = 0;
  for (const row of await repository.listActive(queue.opts.prefix ?? '')) {
    const jobId = jobIdOf(row.id);
    const state = await queue.getJobState(jobId);
    if (state !== 'unknown' && state !== 'completed' && state !== 'failed') continue;
    if (state !== 'unknown') await queue.remove(jobId).catch(() => undefined);
    await queue.add(RUN_EXPORT_JOB, { exportId: row.id }, exportJobOptions(row.id));
    logger.warn({ exportId: row.id, jobState: state }, 'run job was missing from the queue; re-enqueued');
    requeued++;
  }
  return requeued;
}

/** Deletes expired runs: their files (final and leftovers of crashed attempts) first, then the rows. */
export async function cleanupExpiredExports(
  repository: ExportsRepository,
  storage: Storage,
  queuePrefix: string,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const rows = await repository.listExpired(queuePrefix, 200);
    if (rows.length === 0) return removed;
    for (const row of rows) {
      const keys = new Set([
        ...(row.file_key ? [row.file_key] : []),
        ...exportFileKeys(row.id, row.attempts),
      ]);
      for (const key of keys) await storage.delete(key);
      await repository.delete(row.id);
      removed++;
    }
  }
}

/** The periodic cleanup of expired runs (registered by the scheduler). */
export function startExportsCleanup(options: {
  repository: ExportsRepository;
  storage: Storage;
  queuePrefix: string;
  intervalMs: number;
  logger: Logger;
}): Tick {
  return every(
    'exports.cleanup',
    options.intervalMs,
    () => cleanupExpiredExports(options.repository, options.storage, options.queuePrefix),
    options.logger,
    { immediately: true },
  );
}
