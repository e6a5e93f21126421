import { Router } from 'express';
import type { Db } from '../../platform/db';
import type { Redis } from '../../platform/redis';
import { resource } from '../../http/routes';

const CHECK_TIMEOUT_MS = 2000;

async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz: the process answers. /readyz: it can reach Postgres and Redis, so a load balancer may send traffic. */
export function healthRouter(deps: { db: Db; redis: Redis }): Router {
  const router = Router({ strict: true });
  resource(router, '/healthz', {
    docs: { public: true, tag: 'health', get: { summary: 'The process answers' } },
    get: (_req, res) => void res.json({ status: 'ok' }),
  });
  resource(router, '/readyz', {
    docs: {
      public: true,
      tag: 'health',
      get: { summary: 'Postgres and Redis are reachable (503 otherwise)' },
    },
    get: async (_req, res) => {
      const [postgres, redis] = await Promise.all([
        withTimeout(deps.db.raw('SELECT 1')).then(
          () => 'ok',
          () => 'unreachable',
        ),
        withTimeout(deps.redis.ping()).then(
          () => 'ok',
          () => 'unreachable',
        ),
      ]);
      const ready = postgres === 'ok' && redis === 'ok';
      res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', postgres, redis });
    },
  });
  return router;
}
