import type { Config } from '../config';
import { checkDatabase } from '../platform/db';
import { purgeIdempotencyKeys } from '../http/idempotency';
import { startExportsCleanup } from '../modules/exports/exports.maintenance';
import { ExportsRepository } from '../modules/exports/exports.repository';
import { EventsRepository } from '../modules/events/events.repository';
import {
  createScheduledExportsQueue,
  startScheduledExportsTicker,
} from '../modules/scheduled-exports/scheduled-exports.jobs';
import { closeRedis, createRedis, waitUntilReady } from '../platform/redis';
import { createStorage } from '../platform/storage';
import { every } from '../platform/ticks';
import { createRuntime, runMain, type Runtime, type Stoppable } from './runtime';

/**
 * Starts the scheduler: periodic ticks that enqueue due work (scheduled exports, cleanup). Only the ticks
 * live here; what they do belongs to the modules.
 */
export async function startScheduler(runtime: Runtime): Promise<Stoppable> {
  const { config, db, logger } = runtime;
  // Before any tick: the API-role connection has no offline queue, so a command sent before it is ready fails.
  await waitUntilReady(runtime.redis);
  const ticks: Stoppable[] = [
    every('idempotency.purge', 15 * 60 * 1000, () => purgeIdempotencyKeys(db), logger, { immediately: true }),
    startExportsCleanup({
      repository: new ExportsRepository(db),
      storage: createStorage(config),
      queuePrefix: config.QUEUE_PREFIX,
      intervalMs: config.EXPORT_CLEANUP_MS,
      logger,
    }),
  ];
  // BullMQ workers block on their connection, which must retry forever (the API role's fails fast).
  const blocking = createRedis(config.REDIS_URL, 'worker');
  blocking.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection error'));
  const runs = createScheduledExportsQueue(runtime.redis, config.QUEUE_PREFIX, logger);
  ticks.push(
    await startScheduledExportsTicker({
      db,
      events: new EventsRepository(db),
      queue: runs,
      config,
      logger,
      connection: blocking,
      prefix: config.QUEUE_PREFIX,
      intervalMs: config.SCHEDULED_EXPORT_TICK_MS,
    }),
  );
  logger.info({ ticks: ticks.length }, 'scheduler started');
  return {
    async stop() {
      await Promise.all(ticks.map((tick) => tick.stop()));
      await runs.close();
      await closeRedis(blocking);
    },
  };
}

if (require.main === module) {
  runMain('scheduler', async (config: Config) => {
    const runtime = createRuntime(config, 'api');
    await checkDatabase(runtime.db, config.DATABASE_URL);
    const scheduler = await startScheduler(runtime);
    return { stop: async () => (await scheduler.stop(), await runtime.close()) };
  });
}
