import type { Config } from '../config';
import { purgeIdempotencyKeys } from '../http/idempotency';
import { startExportsCleanup } from '../modules/exports/exports.maintenance';
import { ExportsRepository } from '../modules/exports/exports.repository';
import { waitUntilReady } from '../platform/redis';
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
  logger.info({ ticks: ticks.length }, 'scheduler started');
  return {
    async stop() {
      await Promise.all(ticks.map((tick) => tick.stop()));
    },
  };
}

if (require.main === module) {
  runMain('scheduler', async (config: Config) => {
    const runtime = createRuntime(config, 'api');
    const scheduler = await startScheduler(runtime);
    return { stop: async () => (await scheduler.stop(), await runtime.close()) };
  });
}
