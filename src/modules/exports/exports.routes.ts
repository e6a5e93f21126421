import { Router, type Request, type RequestHandler, type Response } from 'express';
import { eventAccessOf, organizerAccessOf } from '../../http/context';
import { resource } from '../../http/routes';
import { apiPrincipal, type Scopes } from '../../http/scope';
import { sendFile, type DownloadableFile } from '../../http/send-file';
import { CustomBodyError } from '../../shared/errors';
import type { ExportRow } from './exports.repository';
import { ExportsService, type DownloadRef, type ExportScope } from './exports.service';

const param = (req: Request, name: string) => String(req.params[name]);

function refOf(req: Request): DownloadRef {
  return {
    identifier: param(req, 'identifier'),
    jobId: param(req, 'jobId'),
    exportId: param(req, 'exportId'),
  };
}

/** The stored file of a finished run, as a download offers it. */
export function downloadableFileOf(row: ExportRow): DownloadableFile {
  return {
    size: Number(row.file_size),
    sha256: row.file_sha256!,
    contentType: row.content_type!,
    fileName: row.file_name!,
    lastModified: row.finished_at ?? row.created_at,
  };
}

/**
 * Data exporters at event and organizer level (pretix's E1–E4, O1–O4), plus DELETE on a download URL to
 * cancel. Every handler is a thin adapter over ExportsService.
 */
export function exportsRouter(deps: { exports: ExportsService; scopes: Scopes }): Router {
  const service = deps.exports;
  const router = Router({ strict: true });
  const levels: { base: string; guard: RequestHandler; scope: (res: Response) => ExportScope }[] = [
    {
      base: '/organizers/:organizer/events/:event/exporters',
      guard: deps.scopes.event(),
      scope: (res) => ({ level: 'event', access: eventAccessOf(res) }),
    },
    {
      base: '/organizers/:organizer/exporters',
      guard: deps.scopes.organizer(),
      scope: (res) => ({ level: 'organizer', access: organizerAccessOf(res) }),
    },
  ];
  for (const { base, guard, scope } of levels) {
    resource(router, `${base}/`, {
      get: [
        guard,
        (_req, res) => {
          const results = service.list(scope(res)).map((exporter) => exporter.describe());
          // pretix builds this envelope by hand: everything on one page, ?page is ignored.
          res.json({ count: results.length, next: null, previous: null, results });
        },
      ],
    });
    resource(router, `${base}/:identifier/`, {
      get: [guard, (req, res) => void res.json(service.get(scope(res), param(req, 'identifier')).describe())],
    });
    resource(router, `${base}/:identifier/run/`, {
      post: [
        guard,
        async (req, res) => {
          const url = await service.start(
            scope(res),
            apiPrincipal(req, res),
            param(req, 'identifier'),
            req.body,
          );
          res.status(202).json({ download: url });
        },
      ],
    });
    resource(router, `${base}/:identifier/download/:jobId/:exportId/`, {
      get: [
        guard,
        async (req, res) => {
          const row = await service.finished(scope(res), apiPrincipal(req, res), refOf(req));
          await sendFile(req, res, downloadableFileOf(row), (range) => service.open(row, range)).catch(
            (error: unknown) => {
              if (error instanceof CustomBodyError)
                res.locals.log.error(
                  { err: error.cause, exportId: row.id },
                  'export file missing from storage',
                );
              throw error;
            },
          );
        },
      ],
      delete: [
        guard,
        async (req, res) => {
          await service.cancel(scope(res), apiPrincipal(req, res), refOf(req));
          res.status(204).end();
        },
      ],
    });
  }
  return router;
}
