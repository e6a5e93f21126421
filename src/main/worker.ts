import type { Config } from '../config';
import { checkDatabase } from '../platform/db';
import { AccessService } from '../modules/access/access.service';
import { EventsRepository } from '../modules/events/events.repository';
import { exporterProducerOf } from '../modules/exports/exporter-producer';
import { createExportsQueue } from '../modules/exports/exports.jobs';
import { ExportsService } from '../modules/exports/exports.service';
import { startExportsWorker } from '../modules/exports/exports.worker';
import type { ProducerLookup, RunFinishedHook } from '../modules/exports/runs/producer';
import { shredderProducerOf, shredRunFinished } from '../modules/shredders/shredders.jobs';
import { ScheduledExportInputs } from '../modules/scheduled-exports/export-form-data';
import { ScheduledExportsService } from '../modules/scheduled-exports/scheduled-exports.service';
import {
  ScheduledRunner,
  startScheduledExportsWorker,
} from '../modules/scheduled-exports/scheduled-exports.worker';
import { createMailer } from '../platform/mailer';
import { waitUntilReady } from '../platform/redis';
import { createStorage } from '../platform/storage';
import { createRuntime, runMain, type Runtime, type Stoppable } from './runtime';

/**
 * Starts the job workers. This is the composition root of the run engine: it decides what produces each kind
 * of run and what happens when one is finished; exports/ knows neither scheduled exports nor shredders.
 * stop() closes the workers, letting active jobs finish, before the pools are closed.
 */
export async function startWorker(runtime: Runtime): Promise<Stoppable> {
  const { config, db, logger, redis } = runtime;
  const storage = createStorage(config);
  const access = new AccessService(db);
  const exporterRuns = exporterProducerOf({ db, siteUrl: config.SITE_URL });
  const exportsQueue = createExportsQueue(redis, config.QUEUE_PREFIX, logger);
  const exports = new ExportsService({ config, db, access, queue: exportsQueue, storage });
  const shredders = { db, storage, logger, siteUrl: config.SITE_URL, exports };
  const shredderRuns = shredderProducerOf(shredders);
  const producerOf: ProducerLookup = (run) =>
    run.kind === 'export' || run.kind === 'scheduled_export' ? exporterRuns(run) : shredderRuns(run);
  const mailer = createMailer(config);
  const events = new EventsRepository(db);
  const inputs = new ScheduledExportInputs({ exports, access, events });
  const scheduled = new ScheduledRunner({
    config,
    db,
    logger,
    access,
    exports,
    inputs,
    events,
    mailer,
    schedules: new ScheduledExportsService({ db, queuePrefix: config.QUEUE_PREFIX, inputs, events }),
  });
  const onFinished: RunFinishedHook[] = [shredRunFinished(shredders), scheduled.onFinished];
  const workers: Stoppable[] = [
    startExportsWorker({ config, db, logger, connection: redis, storage, access, producerOf, onFinished }),
    startScheduledExportsWorker({ config, logger, connection: redis, runner: scheduled }),
  ];
  await waitUntilReady(redis);
  logger.info({ queues: workers.length }, 'worker started');
  return {
    async stop() {
      await Promise.all(workers.map((worker) => worker.stop()));
      await exportsQueue.close();
      await mailer.close();
    },
  };
}

if (require.main === module) {
  runMain('worker', async (config: Config) => {
    const runtime = createRuntime(config, 'worker');
    await checkDatabase(runtime.db, config.DATABASE_URL);
    const worker = await startWorker(runtime);
    return { stop: async () => (await worker.stop(), await runtime.close()) };
  });
}
