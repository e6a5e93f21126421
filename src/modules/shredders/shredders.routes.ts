import { Router, type Request } from 'express';
import type { Config } from '../../config';
import { eventAccessOf } from '../../http/context';
import { paginate } from '../../http/pagination';
import { resource } from '../../http/routes';
import { apiPrincipal, type Scopes } from '../../http/scope';
import { sendFile } from '../../http/send-file';
import { downloadableFileOf } from '../exports/exports.routes';
import type { ExportsService } from '../exports/exports.service';
import type { ShredRunRow } from './shredders.repository';
import type { RunRef, ShreddersService } from './shredders.service';

const param = (req: Request, name: string) => String(req.params[name]);
const refOf = (req: Request): RunRef => ({ jobId: param(req, 'id1'), runId: param(req, 'id2') });

/**
 * Data shredders of an event (pretix's D1–D6, plus a dry run and the audit list of runs). Every endpoint needs
 * can_change_orders; the fixed paths are registered before `{identifier}/`, so `GET …/export/` is a 405.
 */
export function shreddersRouter(deps: {
  config: Config;
  scopes: Scopes;
  shredders: ShreddersService;
  exports: ExportsService;
}): Router {
  const service = deps.shredders;
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
      async (req, res) => {
        const started = await service.startExport(eventAccessOf(res), apiPrincipal(req, res), req.body);
        res.status(202).json(started);
      },
    ],
  });
  resource(router, `${base}/dry_run/`, {
    post: [guard, async (req, res) => void res.json(await service.dryRun(eventAccessOf(res), req.body))],
  });
  resource(router, `${base}/runs/`, {
    get: [
      guard,
      async (req, res) => {
        const query = service.runsOf(eventAccessOf(res));
        res.json(
          await paginate(req, deps.config.SITE_URL, query, (rows: ShredRunRow[]) => service.toAudit(rows)),
        );
      },
    ],
  });
  resource(router, `${base}/download/:id1/:id2/`, {
    get: [
      guard,
      async (req, res) => {
        const run = await service.download(eventAccessOf(res), apiPrincipal(req, res), refOf(req));
        await sendFile(req, res, downloadableFileOf(run), (range) => deps.exports.open(run, range));
      },
    ],
  });
  resource(router, `${base}/shred/:id1/:id2/`, {
    post: [
      guard,
      async (req, res) => {
        const status = await service.startShred(eventAccessOf(res), apiPrincipal(req, res), refOf(req));
        res.status(202).json({ status });
      },
    ],
  });
  resource(router, `${base}/status/:id1/:id2/`, {
    get: [
      guard,
      async (req, res) => {
        const { status, body } = await service.status(eventAccessOf(res), apiPrincipal(req, res), refOf(req));
        res.status(status).json(body);
      },
    ],
  });
  resource(router, `${base}/:identifier/`, {
    get: [guard, (req, res) => void res.json(service.get(param(req, 'identifier')).describe())],
  });
  return router;
}
