import type { Config } from '../config';
import { ensureDatabase, migrateLatest } from '../platform/db';
import { startApi } from './api';
import { createRuntime, runMain } from './runtime';
import { startScheduler } from './scheduler';
import { startWorker } from './worker';

/**
 * The quick start (`npm start`): creates and migrates the database, then runs API, worker and scheduler in one
 * process. Production runs the three roles as separate processes (start:api, start:worker, start:scheduler).
 */
runMain('tixport', async (config: Config) => {
  await ensureDatabase(config.DATABASE_URL);
  const apiRuntime = createRuntime(config, 'api');
  const applied = await migrateLatest(apiRuntime.db);
  apiRuntime.logger.info({ applied }, 'database migrated');
  const workerRuntime = createRuntime(config, 'worker');
  const worker = await startWorker(workerRuntime);
  const scheduler = await startScheduler(apiRuntime);
  const api = await startApi(apiRuntime);
  process.stdout.write(`tixport is running at ${api.url}/api/v1/\n`);
  return {
    async stop() {
      await api.stop();
      await scheduler.stop();
      await worker.stop();
      await Promise.all([apiRuntime.close(), workerRuntime.close()]);
    },
  };
});
