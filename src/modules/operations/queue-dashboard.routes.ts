import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';
import { undocumented } from '../../http/route-docs';
import { secretsEqual } from '../../shared/passwords';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
const ADMIN_USER = 'admin';

/** HTTP basic auth as `admin` with ADMIN_PASSWORD; both parts compared in constant time. */
function basicAuth(password: string): RequestHandler {
  return (req, res, next) => {
    const encoded = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.get('Authorization') ?? '')?.[1];
    const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const separator = decoded.indexOf(':');
    const user = separator === -1 ? '' : decoded.slice(0, separator);
    const given = separator === -1 ? '' : decoded.slice(separator + 1);
    // Both comparisons always run, so the answer takes as long for a wrong user as for a wrong password.
    const userOk = secretsEqual(user, ADMIN_USER);
    const passwordOk = secretsEqual(given, password);
    if (userOk && passwordOk) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="tixport queues", charset="UTF-8"')
      .send('Unauthorized');
  };
}

/**
 * The BullMQ dashboard (@bull-board) at /admin/queues/ for every queue the API knows. It can retry and remove
 * jobs, so it exists only when ADMIN_PASSWORD is set. Its routes are no part of the API document.
 */
export function queueDashboardRouter(deps: { queues: readonly Queue[]; password: string }): Router {
  const router = Router({ strict: true });
  if (!deps.password) return router;
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: deps.queues.map((queue) => new BullMQAdapter(queue)), serverAdapter });
  router.use(
    QUEUE_DASHBOARD_PATH,
    basicAuth(deps.password),
    undocumented(serverAdapter.getRouter() as RequestHandler),
  );
  return router;
}
