import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from '../../config';
import { eventAccessOf, organizerAccessOf } from '../../http/context';
import { applyOrdering, paginate } from '../../http/pagination';
import { idParam } from '../../http/params';
import { resource } from '../../http/routes';
import { apiPrincipal, type Scopes } from '../../http/scope';
import { sendFile } from '../../http/send-file';
import { parseOrThrow } from '../../shared/validation';
import { downloadableFileOf } from '../exports/exports.routes';
import type { ExportScope } from '../exports/exports.service';
import type { RunRow, ScheduleRow } from './scheduled-exports.repository';
import { PreviewQuery, ScheduleInput, SchedulePatch, ScheduleReplace } from './scheduled-exports.schemas';
import { MESSAGES, type ScheduledExportsService } from './scheduled-exports.service';

const ORDERING = {
  id: 'id',
  export_identifier: 'export_identifier',
  schedule_next_run: 'schedule_next_run',
};

/**
 * Scheduled exports at event and organizer level (pretix's S1–S10), plus `preview/` of the next runs. Every
 * handler is a thin adapter over ScheduledExportsService.
 */
export function scheduledExportsRouter(deps: {
  config: Config;
  scopes: Scopes;
  scheduledExports: ScheduledExportsService;
}): Router {
  const { config, scheduledExports: service } = deps;
  const router = Router({ strict: true });
  const levels: { base: string; guard: RequestHandler; scope: (res: Response) => ExportScope }[] = [
    {
      base: '/organizers/:organizer/events/:event/scheduled_exports',
      guard: deps.scopes.event(),
      scope: (res) => ({ level: 'event', access: eventAccessOf(res) }),
    },
    {
      base: '/organizers/:organizer/scheduled_exports',
      guard: deps.scopes.organizer(),
      scope: (res) => ({ level: 'organizer', access: organizerAccessOf(res) }),
    },
  ];
  for (const { base, guard, scope } of levels) {
    const tag = base.includes('/events/') ? 'scheduled exports (event)' : 'scheduled exports (organizer)';
    const scheduleId = (req: Request, res: Response) =>
      idParam(req, 'id', MESSAGES.notFound(scope(res).level));
    resource(router, `${base}/`, {
      docs: {
        tag,
        get: {
          summary:
            'List the scheduled exports the caller may see (?ordering=id|export_identifier|schedule_next_run)',
        },
        post: {
          summary: 'Schedule an export (OAuth clients only: it runs as the user)',
          body: ScheduleInput,
        },
      },
      get: [
        guard,
        async (req, res) => {
          const where = scope(res);
          const query = applyOrdering(
            service.listQuery(where, apiPrincipal(req, res)),
            req.query.ordering,
            ORDERING,
            'id',
          );
          res.json(
            await paginate<ScheduleRow, unknown>(req, config.SITE_URL, query, (rows) =>
              service.toResources(where, rows),
            ),
          );
        },
      ],
      post: [
        guard,
        async (req, res) =>
          void res.status(201).json(await service.create(scope(res), apiPrincipal(req, res), req.body)),
      ],
    });
    resource(router, `${base}/:id/`, {
      docs: {
        tag,
        get: { summary: 'Show one scheduled export' },
        put: { summary: 'Replace a scheduled export (resets its failure counter)', body: ScheduleReplace },
        patch: { summary: 'Change a scheduled export (resets its failure counter)', body: SchedulePatch },
        delete: { summary: 'Delete a scheduled export' },
      },
      get: [
        guard,
        async (req, res) =>
          void res.json(await service.get(scope(res), apiPrincipal(req, res), scheduleId(req, res))),
      ],
      put: [
        guard,
        async (req, res) =>
          void res.json(
            await service.update(scope(res), apiPrincipal(req, res), scheduleId(req, res), req.body, 'put'),
          ),
      ],
      patch: [
        guard,
        async (req, res) =>
          void res.json(
            await service.update(scope(res), apiPrincipal(req, res), scheduleId(req, res), req.body, 'patch'),
          ),
      ],
      delete: [
        guard,
        async (req, res) => {
          await service.remove(scope(res), apiPrincipal(req, res), scheduleId(req, res));
          res.status(204).end();
        },
      ],
    });
    resource(router, `${base}/:id/preview/`, {
      docs: {
        tag,
        get: { summary: 'The next runs with local time and DST adjustment', query: PreviewQuery },
      },
      get: [
        guard,
        async (req, res) => {
          const { count } = parseOrThrow(PreviewQuery, req.query);
          const runs = await service.preview(scope(res), apiPrincipal(req, res), scheduleId(req, res), count);
          res.json({
            runs: runs.map((run) => ({
              at: run.at.toISOString().replace('.000Z', 'Z'),
              local: run.local,
              dst: run.dst,
            })),
          });
        },
      ],
    });
    resource(router, `${base}/:id/runs/`, {
      docs: { tag, get: { summary: 'The runs of a scheduled export, newest first' } },
      get: [
        guard,
        async (req, res) => {
          const { query } = await service.runsQuery(scope(res), apiPrincipal(req, res), scheduleId(req, res));
          res.json(
            await paginate<RunRow, unknown>(req, config.SITE_URL, query, (rows) =>
              service.toRunResources(rows),
            ),
          );
        },
      ],
    });
    resource(router, `${base}/:id/runs/:run/redeliver/`, {
      docs: { tag, post: { summary: "Send a sent run's mail again", status: 202, errors: [409, 410] } },
      post: [
        guard,
        async (req, res) => {
          const runId = idParam(req, 'run', 'No ScheduledExportRun matches the given query.');
          await service.redeliver(scope(res), apiPrincipal(req, res), scheduleId(req, res), runId);
          res.status(202).json({ run: runId, status: 'queued' });
        },
      ],
    });
  }
  // The link in the mail of a result too large to attach: no credentials, the run id and its secret are the key.
  resource(router, '/scheduled_export_downloads/:run/:token/', {
    docs: {
      tag: 'scheduled exports',
      public: true,
      get: {
        summary: 'The file of a scheduled run too large to attach (the link in its mail, valid 7 days)',
        contentType: 'application/octet-stream',
      },
    },
    get: [
      async (req, res) => {
        const file = await service.linkedFile(idParam(req, 'run'), String(req.params.token));
        await sendFile(req, res, downloadableFileOf(file), (range) => service.open(file, range));
      },
    ],
  });
  return router;
}
