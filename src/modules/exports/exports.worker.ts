import { Worker, type ConnectionOptions } from 'bullmq';
import type { Db } from '../../platform/db';
import { every, type Tick } from '../../platform/ticks';
import { createExportsQueue, EXPORTS_QUEUE, RunExportJob } from './exports.jobs';
import { reconcileExports } from './exports.maintenance';
import { ExportsRepository } from './exports.repository';
import { RunRunner, type RunnerDeps } from './exports.runner';

/** The engine's dependencies (RunnerDeps: storage, access, producer lookup, completion hooks) plus connections. */
export interface ExportsWorkerOptions extends Omit<RunnerDeps, 'repository'> {
  db: Db;
  /** A connection with maxRetriesPerRequest=null (BullMQ blocks on it). */
  connection: ConnectionOptions;
}

/**
 * The run worker. Stalled-job recovery does the crash safety: a killed worker stops renewing its lock, and
 * after EXPORT_LOCK_MS another worker takes the job over. BullMQ's own stall limit is set high on purpose:
 * attempts are counted in Postgres (RunRunner), which ends the run with 410 after EXPORT_MAX_ATTEMPTS.
 */
export function startExportsWorker(options: ExportsWorkerOptions): { worker: Worker; stop(): Promise<void> } {
  const { config, db, logger, connection, storage } = options;
  const repository = new ExportsRepository(db);
  const runner = new RunRunner({
    config,
    logger,
    storage,
    repository,
    access: options.access,
    producerOf: options.producerOf,
    onFinished: options.onFinished,
  });
  const worker = new Worker<RunExportJob>(
    EXPORTS_QUEUE,
    async (job) => {
      const { exportId } = RunExportJob.parse(job.data);
      const outcome = await runner.run(exportId);
      // Thrown so that BullMQ retries with backoff (attempts/backoff of exportJobOptions).
      if (outcome === 'retry')
        throw new Error(`run ${exportId} is not visible yet or owes its completion hooks`);
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
