import express, { type Express } from 'express';
import type { Config } from './config';
import { authenticate, type Authenticator } from './http/authenticate';
import { parseBody } from './http/body';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { idempotency, idempotencyQuery } from './http/idempotency';
import { rejectNullCharacters } from './http/null-characters';
import { requestContext } from './http/request-context';
import { createScopes } from './http/scope';
import { trailingSlash } from './http/trailing-slash';
import { AccessService } from './modules/access/access.service';
import { eventsApi } from './modules/events/events.routes';
import { EventsRepository } from './modules/events/events.repository';
import { createExportsQueue } from './modules/exports/exports.jobs';
import { exportsRouter } from './modules/exports/exports.routes';
import { ExportsService } from './modules/exports/exports.service';
import { healthRouter } from './modules/health/health.routes';
import { versionRouter } from './modules/health/version.routes';
import { bearerAuthenticator } from './modules/oauth/bearer-authenticator';
import { oauthRouter } from './modules/oauth/oauth.routes';
import { organizersRouter } from './modules/organizers/organizers.routes';
import { teamsRouter } from './modules/teams/teams.routes';
import { ScheduledExportInputs } from './modules/scheduled-exports/export-form-data';
import { createScheduledExportsQueue } from './modules/scheduled-exports/scheduled-exports.jobs';
import { scheduledExportsRouter } from './modules/scheduled-exports/scheduled-exports.routes';
import { ScheduledExportsService } from './modules/scheduled-exports/scheduled-exports.service';
import { ticketingRouter } from './modules/ticketing.routes';
import { TeamsService } from './modules/teams/teams.service';
import { teamTokenAuthenticator } from './modules/teams/token-authenticator';
import type { Db } from './platform/db';
import type { Logger } from './platform/logger';
import type { Redis } from './platform/redis';
import { createStorage, type Storage } from './platform/storage';

export interface AppDeps {
  config: Config;
  db: Db;
  redis: Redis;
  logger: Logger;
  /** Where run files live; built from the config when omitted. */
  storage?: Storage;
  /** Extra credential schemes; team tokens and OAuth Bearer tokens are always on. */
  authenticators?: Authenticator[];
}

/** Builds the Express app: middleware order and router mounting. No listen(), no environment reads. */
export function createApp(deps: AppDeps): Express {
  const { config, db } = deps;
  const access = new AccessService(db);
  const scopes = createScopes(access);
  const teams = new TeamsService(db);
  const events = new EventsRepository(db);
  const exportsService = new ExportsService({
    config,
    db,
    access,
    queue: createExportsQueue(deps.redis, config.QUEUE_PREFIX, deps.logger),
    storage: deps.storage ?? createStorage(config),
  });
  const scheduledExports = new ScheduledExportsService({
    db,
    queuePrefix: config.QUEUE_PREFIX,
    events,
    inputs: new ScheduledExportInputs({ exports: exportsService, access, events }),
    deliveries: {
      config,
      exports: exportsService,
      queue: createScheduledExportsQueue(deps.redis, config.QUEUE_PREFIX, deps.logger),
    },
  });

  const app = express();
  app.set('strict routing', true);
  app.set('trust proxy', false);
  app.set('json spaces', 0);
  app.disable('x-powered-by');

  app.use(requestContext(deps.logger));
  app.use(healthRouter(deps));
  app.use(trailingSlash);
  app.use(idempotency(db));
  // Runs no authentication, as in pretix: the stored slot is scoped to the Authorization header anyway.
  app.get('/api/v1/idempotency_query', idempotencyQuery(db));
  app.use(parseBody);
  app.use(
    authenticate([teamTokenAuthenticator(db), bearerAuthenticator(db), ...(deps.authenticators ?? [])]),
  );
  app.use(rejectNullCharacters);

  app.get('/api/', (_req, res) => res.redirect(302, '/api/v1/'));
  app.use(versionRouter());
  app.use(oauthRouter(deps));
  app.use('/api/v1', organizersRouter({ config, access, scopes }));
  app.use('/api/v1', teamsRouter({ config, scopes, teams }));
  app.use('/api/v1', eventsApi({ config, db, access, scopes }));
  app.use('/api/v1', ticketingRouter({ config, scopes, db }));
  app.use('/api/v1', exportsRouter({ exports: exportsService, scopes }));
  app.use('/api/v1', scheduledExportsRouter({ config, scopes, scheduledExports }));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
