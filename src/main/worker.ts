import type { Config } from '../config';
import { startExportsWorker } from '../modules/exports/exports.jobs';
import { createStorage } from '../platform/storage';
import { createRuntime, runMain, type Runtime, type Stoppable } from './runtime';

/**
 * Starts the job workers. Each module that runs jobs registers its BullMQ worker here; stop() closes them,
 * letting active jobs finish, before the pools are closed.
 */
export async function startWorker(runtime: Runtime): Promise<Stoppable> {
  const workers: Stoppable[] = [];
  const { config, db, logger, redis } = runtime;
  workers.push(startExportsWorker({ config, db, logger, connection: redis, storage: createStorage(config) }));
  await runtime.redis.ping();
  runtime.logger.info({ queues: workers.length }, 'worker started');
  return {
    async stop() {
      await Promise.all(workers.map((worker) => worker.stop()));
    },
  };
}

if (require.main === module) {
  runMain('worker', async (config: Config) => {
    const runtime = createRuntime(config, 'worker');
    const worker = await startWorker(runtime);
    return { stop: async () => (await worker.stop(), await runtime.close()) };
  });
}
