import type { Server } from 'node:http';
import { createExportsQueue } from '../modules/exports/exports.jobs';
import { registerRunMetrics } from '../modules/exports/exports.metrics';
import { ExportsRepository } from '../modules/exports/exports.repository';
import { ShreddersService } from '../modules/shredders/shredders.service';
import { ExportsService } from '../modules/exports/exports.service';
import { createMetricsRegistry, registerQueueDepth } from '../platform/metrics';
import { createStorage } from '../platform/storage';
import { createApp, type ApiServices } from '../app';
import type { Config } from '../config';
import { checkDatabase } from '../platform/db';
import { AccessService } from '../modules/access/access.service';
import { CheckinService } from '../modules/checkin/checkin.service';
import { EventsRepository } from '../modules/events/events.repository';
import { EventRepresentation } from '../modules/events/events.representation';
import { EventsService } from '../modules/events/events.service';
import { PluginRegistry } from '../modules/events/plugins';
import { CategoriesService, ItemsService } from '../modules/items/items.service';
import { LoginThrottle } from '../modules/oauth/login-throttle';
import { OAuthService } from '../modules/oauth/oauth.service';
import { OrdersService } from '../modules/orders/orders.service';
import { MetaPropertiesService } from '../modules/organizers/meta-properties.service';
import { QuestionsService } from '../modules/questions/questions.service';
import { QuotasService } from '../modules/quotas/quotas.service';
import { SettingsService } from '../modules/settings/settings.service';
import { TeamsService } from '../modules/teams/teams.service';
import { ScheduledExportInputs } from '../modules/scheduled-exports/export-form-data';
import { createScheduledExportsQueue } from '../modules/scheduled-exports/scheduled-exports.jobs';
import { ScheduledExportsService } from '../modules/scheduled-exports/scheduled-exports.service';
import { WaitingListService } from '../modules/waitinglist/waitinglist.service';
import { createRuntime, runMain, type Runtime, type Stoppable } from './runtime';

/** The API's composition root: every service the routers use, built once on the runtime's connections. */
export function composeApiServices(
  runtime: Pick<Runtime, 'config' | 'db' | 'redis' | 'logger'>,
): ApiServices {
  const { config, db, redis, logger } = runtime;
  const access = new AccessService(db);
  const plugins = new PluginRegistry();
  const settings = new SettingsService(db);
  const metaProperties = new MetaPropertiesService(db);
  const eventsRepository = new EventsRepository(db);
  const exportsQueue = createExportsQueue(redis, config.QUEUE_PREFIX, logger);
  const scheduledExportsQueue = createScheduledExportsQueue(redis, config.QUEUE_PREFIX, logger);
  const queues = [exportsQueue, scheduledExportsQueue];
  const metrics = createMetricsRegistry();
  registerQueueDepth(metrics, queues);
  registerRunMetrics(metrics, new ExportsRepository(db), config.QUEUE_PREFIX);
  const exports = new ExportsService({
    config,
    db,
    access,
    queue: exportsQueue,
    storage: createStorage(config),
  });
  return {
    access,
    teams: new TeamsService(db),
    oauth: new OAuthService(db),
    loginThrottle: new LoginThrottle(redis, config.QUEUE_PREFIX),
    events: {
      events: new EventsService(db, eventsRepository, access, settings, metaProperties, plugins),
      eventsRepository,
      represent: new EventRepresentation(config, eventsRepository, plugins),
      settings,
      metaProperties,
    },
    ticketing: {
      categories: new CategoriesService(db),
      items: new ItemsService(db),
      questions: new QuestionsService(db),
      quotas: new QuotasService(db),
      orders: new OrdersService(db),
      checkin: new CheckinService(db),
      waitingList: new WaitingListService(db),
    },
    exports,
    shredders: new ShreddersService({ config, db, exports }),
    scheduledExports: new ScheduledExportsService({
      db,
      queuePrefix: config.QUEUE_PREFIX,
      events: eventsRepository,
      inputs: new ScheduledExportInputs({ exports, access, events: eventsRepository }),
      deliveries: { config, exports, queue: scheduledExportsQueue },
    }),
    operations: { metrics, queues },
  };
}

/** Starts the HTTP API on config.PORT and resolves once it listens. */
export async function startApi(runtime: Runtime): Promise<Stoppable & { server: Server; url: string }> {
  const { config, logger } = runtime;
  const app = createApp({
    config,
    db: runtime.db,
    redis: runtime.redis,
    logger,
    services: composeApiServices(runtime),
  });
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
    await checkDatabase(runtime.db, config.DATABASE_URL);
    const api = await startApi(runtime);
    return { stop: async () => (await api.stop(), await runtime.close()) };
  });
}
