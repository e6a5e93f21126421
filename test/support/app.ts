import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { composeApiServices } from '../../src/main/api';
import { createRuntime, type Runtime } from '../../src/main/runtime';

export interface TestContext {
  app: Express;
  runtime: Runtime;
  config: Config;
  /** The BullMQ prefix owned by this test file. */
  queuePrefix: string;
  close(): Promise<void>;
}

/**
 * The real app on the run's database and the real Redis, with a queue prefix of its own so that jobs of other
 * test files are never seen. Pass env overrides for settings a test needs.
 */
export function createTestContext(
  env: Record<string, string> = {},
  extraDeps: Partial<Pick<AppDeps, 'authenticators'>> = {},
): TestContext {
  const queuePrefix = `tixport-test-${randomBytes(6).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    QUEUE_PREFIX: queuePrefix,
    SITE_URL: 'http://tixport.test',
    DATABASE_POOL_MAX: '5',
    ...env,
  });
  const runtime = createRuntime(config, 'api');
  const app = createApp({
    config,
    db: runtime.db,
    redis: runtime.redis,
    logger: runtime.logger,
    services: composeApiServices(runtime),
    ...extraDeps,
  });
  return {
    app,
    runtime,
    config,
    queuePrefix,
    async close() {
      await runtime.close();
    },
  };
}
