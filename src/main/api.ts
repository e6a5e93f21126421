import type { Server } from 'node:http';
import { createApp } from '../app';
import type { Config } from '../config';
import { createRuntime, runMain, type Runtime, type Stoppable } from './runtime';

/** Starts the HTTP API on config.PORT and resolves once it listens. */
export async function startApi(runtime: Runtime): Promise<Stoppable & { server: Server; url: string }> {
  const { config, logger } = runtime;
  const app = createApp({ config, db: runtime.db, redis: runtime.redis, logger });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.PORT, () => resolve(listening));
    listening.once('error', reject);
  });
  const url = config.SITE_URL;
  logger.info({ port: config.PORT, url }, 'api listening');
  return {
    server,
    url,
    async stop() {
      // Stop accepting connections, let running requests finish, then drop idle keep-alive sockets.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    },
  };
}

if (require.main === module) {
  runMain('api', async (config: Config) => {
    const runtime = createRuntime(config, 'api');
    const api = await startApi(runtime);
    return { stop: async () => (await api.stop(), await runtime.close()) };
  });
}
