import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Config } from '../../config';
import { eventAccessOf } from '../../http/context';
import { paginate } from '../../http/pagination';
import { resource } from '../../http/routes';
import { apiPrincipal, type Scopes } from '../../http/scope';
import { sendFile } from '../../http/send-file';
import { downloadableFileOf } from '../exports/exports.routes';
import type { ExportsService } from '../exports/exports.service';
import type { ShredRunRow } from './shredders.repository';
import { SHREDDERS } from './shredders/index';
import type { RunRef, ShreddersService } from './shredders.service';

const param = (req: Request, name: string) => String(req.params[name]);
const tag = 'shredders';
const identifiers = z.enum(SHREDDERS.map((shredder) => shredder.identifier) as [string, ...string[]]);
/** For the OpenAPI document; the handlers validate with parseShredderSelection (DRF's exact messages). */
const Selection = z.object({ shredders: z.array(identifiers) });
const ExportStarted = z.object({
  download: z.string().meta({ description: 'Where to fetch the ZIP (409 while it is written)' }),
  shred: z.string().meta({ description: 'Where to POST to shred the exported data' }),
});
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
    docs: { tag, get: { summary: 'List the data shredders, sorted by name' } },
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
    docs: {
      tag,
      post: {
        summary: 'Export the data the selected shredders would erase (a ZIP)',
        description:
          'The event must be over and its shop offline (400 with a bare list otherwise). The ZIP lives 2 h.',
        body: Selection,
        status: 202,
        response: ExportStarted,
        errors: [429],
      },
    },
    post: [
      guard,
      async (req, res) => {
        const started = await service.startExport(eventAccessOf(res), apiPrincipal(req, res), req.body);
        res.status(202).json(started);
      },
    ],
  });
  resource(router, `${base}/dry_run/`, {
    docs: {
      tag,
      post: {
        summary: 'Count what the selected shredders would export and erase, writing nothing',
        body: Selection,
        status: 200,
      },
    },
    post: [guard, async (req, res) => void res.json(await service.dryRun(eventAccessOf(res), req.body))],
  });
  resource(router, `${base}/runs/`, {
    docs: { tag, get: { summary: "The event's shred runs: who, when, which shredders, counts, outcome" } },
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
    docs: {
      tag,
      get: {
        summary: 'Download the ZIP (409 while it is written; 404 once shredded or expired)',
        contentType: 'application/zip',
        errors: [409, 410],
      },
    },
    get: [
      guard,
      async (req, res) => {
        const run = await service.download(eventAccessOf(res), apiPrincipal(req, res), refOf(req));
        await sendFile(req, res, downloadableFileOf(run), (range) => deps.exports.open(run, range));
      },
    ],
  });
  resource(router, `${base}/shred/:id1/:id2/`, {
    docs: {
      tag,
      post: {
        summary: 'Shred the exported data (one transaction; refused when the event changed since the export)',
        status: 202,
        response: z.object({ status: z.string().meta({ description: 'Where to check the outcome' }) }),
        errors: [409, 410],
      },
    },
    post: [
      guard,
      async (req, res) => {
        const status = await service.startShred(eventAccessOf(res), apiPrincipal(req, res), refOf(req));
        res.status(202).json({ status });
      },
    ],
  });
  resource(router, `${base}/status/:id1/:id2/`, {
    docs: {
      tag,
      get: {
        summary: 'Outcome of a shred',
        description:
          '200 `{"status": "ok"}` once shredded; 409 `{"status": "waiting"|"running"}`; 417 `{"status": ' +
          '"failed", "message"}` (e.g. the event changed after the export); 410 `{"status": "gone"}` when unknown.',
        errors: [409, 410],
      },
    },
    get: [
      guard,
      async (req, res) => {
        const { status, body } = await service.status(eventAccessOf(res), apiPrincipal(req, res), refOf(req));
        res.status(status).json(body);
      },
    ],
  });
  resource(router, `${base}/:identifier/`, {
    docs: { tag, get: { summary: 'Show one data shredder', params: z.object({ identifier: identifiers }) } },
    get: [guard, (req, res) => void res.json(service.get(param(req, 'identifier')).describe())],
  });
  return router;
}
