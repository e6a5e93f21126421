import { Router, type Request } from 'express';
import type { Config } from '../../config';
import { eventAccessOf } from '../../http/context';
import { resource } from '../../http/routes';
import type { Scopes } from '../../http/scope';
import type { Db } from '../../platform/db';
import { ServiceUnavailable } from '../../shared/errors';
import { ShreddersService } from './shredders.service';

const param = (req: Request, name: string) => String(req.params[name]);

/**
 * Data shredders of an event (pretix's D1–D6, plus a dry run and the audit list of runs). Every endpoint needs
 * can_change_orders; the fixed paths are registered before `{identifier}/`, so `GET …/export/` is a 405.
 */
export function shreddersRouter(deps: { config: Config; db: Db; scopes: Scopes }): Router {
  const service = new ShreddersService({ db: deps.db });
  const guard = deps.scopes.event('can_change_orders');
  const base = '/organizers/:organizer/events/:event/shredders';
  const router = Router({ strict: true });

  resource(router, `${base}/`, {
    get: [
      guard,
      (_req, res) => {
        const results = service.list().map((shredder) => shredder.describe());
        // pretix builds this envelope by hand: everything on one page, ?page is ignored.
        res.json({ count: results.length, next: null, previous: null, results });
      },
    ],
  });
  resource(router, `${base}/export/`, {
    post: [
      guard,
      async (req, _res) => {
        await service.checkExport(eventAccessOf(_res), req.body);
        throw new ServiceUnavailable('Shredder exports are not available yet.');
      },
    ],
  });
  resource(router, `${base}/dry_run/`, {
    post: [guard, async (req, res) => void res.json(await service.dryRun(eventAccessOf(res), req.body))],
  });
  resource(router, `${base}/:identifier/`, {
    get: [guard, (req, res) => void res.json(service.get(param(req, 'identifier')).describe())],
  });
  return router;
}
