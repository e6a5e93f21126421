import { Router } from 'express';
import type { Registry } from 'prom-client';
import { resource } from '../../http/routes';
import { secretsEqual } from '../../shared/passwords';

/** GET /metrics in Prometheus' text format; with METRICS_TOKEN set, only for `Authorization: Bearer <token>`. */
export function metricsRouter(deps: { registry: Registry; token: string }): Router {
  const router = Router({ strict: true });
  resource(router, '/metrics', {
    docs: {
      public: true,
      tag: 'operations',
      get: {
        summary: 'Prometheus metrics (Bearer METRICS_TOKEN when set)',
        contentType: 'text/plain',
      },
    },
    get: async (req, res) => {
      if (deps.token) {
        const given = /^Bearer (.+)$/.exec(req.get('Authorization') ?? '')?.[1] ?? '';
        if (!secretsEqual(given, deps.token)) {
          res
            .status(401)
            .set('WWW-Authenticate', 'Bearer realm="metrics"')
            .json({ detail: 'Invalid token.' });
          return;
        }
      }
      res.type(deps.registry.contentType).send(await deps.registry.metrics());
    },
  });
  return router;
}
