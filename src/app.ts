import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import type { Config } from './config';
import { authenticate, type Authenticator } from './http/authenticate';
import { parseBody } from './http/body';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { idempotency, idempotencyQuery } from './http/idempotency';
import { httpMetrics } from './http/metrics';
import { attachRouteDocs } from './http/route-docs';
import { requestContext } from './http/request-context';
import { createScopes } from './http/scope';
import { trailingSlash } from './http/trailing-slash';
import { rejectUndecodablePaths, rejectUnstorableText } from './http/unstorable-text';
import type { AccessService } from './modules/access/access.service';
import { eventsApi, type EventsApiServices } from './modules/events/events.routes';
import { docsRouter } from './modules/docs/docs.routes';
import { exportsRouter } from './modules/exports/exports.routes';
import type { ExportsService } from './modules/exports/exports.service';
import { apiRootRouter } from './modules/health/api-root.routes';
import { healthRouter } from './modules/health/health.routes';
import { versionRouter } from './modules/health/version.routes';
import { bearerAuthenticator } from './modules/oauth/bearer-authenticator';
import type { LoginThrottle } from './modules/oauth/login-throttle';
import { oauthRouter } from './modules/oauth/oauth.routes';
import type { OAuthService } from './modules/oauth/oauth.service';
import { metricsRouter } from './modules/operations/metrics.routes';
import { queueDashboardRouter } from './modules/operations/queue-dashboard.routes';
import { organizersRouter } from './modules/organizers/organizers.routes';
import { shreddersRouter } from './modules/shredders/shredders.routes';
import type { ShreddersService } from './modules/shredders/shredders.service';
import { scheduledExportsRouter } from './modules/scheduled-exports/scheduled-exports.routes';
import type { ScheduledExportsService } from './modules/scheduled-exports/scheduled-exports.service';
import { teamsRouter } from './modules/teams/teams.routes';
import type { TeamsService } from './modules/teams/teams.service';
import { ticketingRouter, type TicketingServices } from './modules/ticketing.routes';
import { teamTokenAuthenticator } from './modules/teams/token-authenticator';
import type { Db } from './platform/db';
import type { Logger } from './platform/logger';
import type { MetricsRegistry } from './platform/metrics';
import type { Redis } from './platform/redis';

/** What the routers answer with. main/api.ts (composeApiServices) is the one place that builds them. */
export interface ApiServices {
  access: AccessService;
  teams: TeamsService;
  oauth: OAuthService;
  loginThrottle: LoginThrottle;
  events: EventsApiServices;
  ticketing: TicketingServices;
  exports: ExportsService;
  shredders: ShreddersService;
  scheduledExports: ScheduledExportsService;
  /** What operators look at: the Prometheus registry and every queue (dashboard, queue depth). */
  operations: { metrics: MetricsRegistry; queues: readonly Queue[] };
}

export interface AppDeps {
  config: Config;
  db: Db;
  redis: Redis;
  logger: Logger;
  services: ApiServices;
  /** Extra credential schemes; team tokens and OAuth Bearer tokens are always on. */
  authenticators?: Authenticator[];
}

/** Builds the Express app: middleware order and router mounting. No listen(), no environment reads. */
export function createApp(deps: AppDeps): Express {
  const { config, db, services } = deps;
  const { access } = services;
  const scopes = createScopes(access);

  const app = express();
  app.set('strict routing', true);
  app.set('trust proxy', false);
  app.set('json spaces', 0);
  app.disable('x-powered-by');

  app.use(requestContext(deps.logger));
  app.use(rejectUndecodablePaths);
  app.use(httpMetrics(services.operations.metrics));
  app.use(healthRouter(deps));
  app.use(metricsRouter({ registry: services.operations.metrics, token: config.METRICS_TOKEN }));
  app.use(queueDashboardRouter({ queues: services.operations.queues, password: config.ADMIN_PASSWORD }));
  // Before the API's plumbing: public, and without the trailing-slash rule (openapi.json, asset names).
  app.use(docsRouter({ siteUrl: config.SITE_URL }));
  app.use(trailingSlash);
  app.use(idempotency(db));
  // Runs no authentication, as in pretix: the stored slot is scoped to the Authorization header anyway.
  attachRouteDocs(app.route('/api/v1/idempotency_query').get(idempotencyQuery(db)), {
    public: true,
    tag: 'idempotency',
    get: { summary: 'The stored answer of an earlier request with the same Idempotency-Key' },
  });
  app.use(parseBody);
  app.use(
    authenticate([
      teamTokenAuthenticator(db),
      bearerAuthenticator(services.oauth),
      ...(deps.authenticators ?? []),
    ]),
  );
  app.use(rejectUnstorableText);

  app.use(apiRootRouter({ config }));
  app.use(versionRouter());
  app.use(oauthRouter({ config, db, oauth: services.oauth, loginThrottle: services.loginThrottle }));
  app.use('/api/v1', organizersRouter({ config, access, scopes }));
  app.use('/api/v1', teamsRouter({ config, scopes, teams: services.teams }));
  app.use('/api/v1', eventsApi({ config, db, access, scopes, ...services.events }));
  app.use('/api/v1', ticketingRouter({ config, scopes, ...services.ticketing }));
  app.use('/api/v1', exportsRouter({ exports: services.exports, scopes }));
  app.use(
    '/api/v1',
    shreddersRouter({ config, scopes, shredders: services.shredders, exports: services.exports }),
  );
  app.use('/api/v1', scheduledExportsRouter({ config, scopes, scheduledExports: services.scheduledExports }));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
