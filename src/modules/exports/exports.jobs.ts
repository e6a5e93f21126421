import { Worker, type ConnectionOptions, type Queue } from 'bullmq';
import { z } from 'zod';
import type { Config } from '../../config';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import { createQueue } from '../../platform/queues';
import type { Storage } from '../../platform/storage';
import { every, type Tick } from '../../platform/ticks';
import { ServiceUnavailable } from '../../shared/errors';
import { ExportsRepository } from './exports.repository';
import { ExportRunner, exportFileKeys } from './exports.runner';

export const EXPORTS_QUEUE = 'exports';
export const RUN_EXPORT_JOB = 'exports.run';

/** A job carries the export's id only; everything else is read from Postgres when it runs. */
export const RunExportJob = z.object({ exportId: z.string().uuid() });
export type RunExportJob = z.infer<typeof RunExportJob>;

/** One job per export: BullMQ refuses a second job with the same id while the first exists. */
export function jobIdOf(exportId: string): string {
  return `export-${exportId}`;
}

export function createExportsQueue(
  connection: ConnectionOptions,
  prefix: string,
  logger?: Logger,
): Queue<RunExportJob> {
  const queue = createQueue<RunExportJob>(EXPORTS_QUEUE, connection, prefix);
  // Connection errors surface on the calls (503); the event only needs a listener so they are not printed.
  queue.on('error', (error: Error) => logger?.debug({ err: error.message }, 'exports queue error'));
  return queue;
}

const ENQUEUE_TIMEOUT_MS = 3000;

function jobOptions(exportId: string) {
  return {
    jobId: jobIdOf(exportId),
    // A job whose row is not visible yet (the API's transaction commits after enqueueing) is retried.
    attempts: 5,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: true,
    removeOnFail: { count: 1000 },
  };
}

/**
 * Enqueues the run of an export. Fails fast with 503 when Redis is unreachable, so the caller's transaction
 * rolls back and nothing is left behind.
 */
export async function enqueueExport(queue: Queue<RunExportJob>, exportId: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('enqueue timed out')), ENQUEUE_TIMEOUT_MS);
  });
  try {
    await Promise.race([queue.add(RUN_EXPORT_JOB, { exportId }, jobOptions(exportId)), timeout]);
  } catch (error) {
    throw Object.assign(new ServiceUnavailable('The job queue is unavailable, try again later.'), {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Re-enqueues runs that Postgres says are waiting or running but whose job Redis no longer has (a Redis
 * restart, a flushed queue) or has given up on (stalled too often). Runs at worker start and periodically.
 */
export async function reconcileExports(
  repository: ExportsRepository,
  queue: Queue<RunExportJob>,
  logger: Logger,
): Promise<number> {
  let requeued = 0;
  for (const row of await repository.listActive(queue.opts.prefix ?? '')) {
    const jobId = jobIdOf(row.id);
    const state = await queue.getJobState(jobId);
    if (state !== 'unknown' && state !== 'completed' && state !== 'failed') continue;
    if (state !== 'unknown') await queue.remove(jobId).catch(() => undefined);
    await queue.add(RUN_EXPORT_JOB, { exportId: row.id }, jobOptions(row.id));
    logger.warn({ exportId: row.id, jobState: state }, 'export job was missing from the queue; re-enqueued');
    requeued++;
  }
  return requeued;
}

/** Deletes expired exports: their files (final and leftovers of crashed attempts) first, then the rows. */
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

export interface ExportsWorkerOptions {
  config: Config;
  db: Db;
  logger: Logger;
  /** A connection with maxRetriesPerRequest=null (BullMQ blocks on it). */
  connection: ConnectionOptions;
  storage: Storage;
}

/**
 * The exports worker. Stalled-job recovery does the crash safety: a killed worker stops renewing its lock, and
 * after EXPORT_LOCK_MS another worker takes the job over. BullMQ's own stall limit is set high on purpose:
 * attempts are counted in Postgres (ExportRunner), which ends the run with 410 after EXPORT_MAX_ATTEMPTS.
 */
export function startExportsWorker(options: ExportsWorkerOptions): { worker: Worker; stop(): Promise<void> } {
  const { config, db, logger, connection, storage } = options;
  const repository = new ExportsRepository(db);
  const runner = new ExportRunner({ config, db, logger, storage, repository });
  const worker = new Worker<RunExportJob>(
    EXPORTS_QUEUE,
    async (job) => {
      const { exportId } = RunExportJob.parse(job.data);
      const outcome = await runner.run(exportId);
      // Thrown so that BullMQ retries with backoff (attempts/backoff of enqueueExport).
      if (outcome === 'retry') throw new Error(`export ${exportId} is not visible yet`);
    },
    {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.EXPORT_LOCK_MS,
      stalledInterval: config.EXPORT_LOCK_MS,
      maxStalledCount: config.EXPORT_MAX_ATTEMPTS + 1,
    },
  );
  worker.on('error', (error) => logger.warn({ err: error.message }, 'exports worker error'));
  worker.on('active', (job) => logger.debug({ jobId: job.id }, 'export job active'));
  worker.on('failed', (job, error) =>
    logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error.message }, 'export job failed'),
  );
  const queue = createExportsQueue(connection, config.QUEUE_PREFIX, logger);
  const reconciler: Tick = every(
    'exports.reconcile',
    config.EXPORT_RECONCILE_MS,
    () => reconcileExports(repository, queue, logger),
    logger,
    { immediately: true },
  );
  return {
    worker,
    async stop() {
      await reconciler.stop();
      await worker.close();
      await queue.close();
    },
  };
}

/** The periodic cleanup of expired exports (registered by the scheduler). */
export function startExportsCleanup(options: {
  config: Config;
  db: Db;
  logger: Logger;
  storage: Storage;
}): Tick {
  const repository = new ExportsRepository(options.db);
  return every(
    'exports.cleanup',
    options.config.EXPORT_CLEANUP_MS,
    () => cleanupExpiredExports(repository, options.storage, options.config.QUEUE_PREFIX),
    options.logger,
    { immediately: true },
  );
}
