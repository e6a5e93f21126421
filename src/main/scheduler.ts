import type { Config } from '../config';
import { purgeIdempotencyKeys } from '../http/idempotency';
import { every } from '../platform/ticks';
import { startExportsCleanup } from '../modules/exports/exports.jobs';
import { createStorage } from '../platform/storage';
import { createRuntime, runMain, type Runtime, type Stoppable } from './runtime';

/**
 * Starts the scheduler: periodic ticks that enqueue due work (scheduled exports, cleanup). Only the ticks
 * live here; what they do belongs to the modules.
 */
export async function startScheduler(runtime: Runtime): Promise<Stoppable> {
  const { db, logger } = runtime;
  const ticks: Stoppable[] = [
    every('idempotency.purge', 15 * 60 * 1000, () => purgeIdempotencyKeys(db), logger, { immediately: true }),
    startExportsCleanup({ ...runtime, storage: createStorage(runtime.config) }),
  ];
  await runtime.redis.ping();
  runtime.logger.info({ ticks: ticks.length }, 'scheduler started');
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
