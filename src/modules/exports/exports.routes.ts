import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { eventAccessOf, organizerAccessOf } from '../../http/context';
import { resource } from '../../http/routes';
import { apiPrincipal, type Scopes } from '../../http/scope';
import { sendFile, type DownloadableFile } from '../../http/send-file';
import { CustomBodyError } from '../../shared/errors';
import { EXPORTERS } from './exporters';
import type { Exporter } from './exporters/define';
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

/** One exporter's run body, built from the same fields that validate it (exports.input.ts). */
function runBodyOf(exporter: Exporter): z.ZodType {
  const shape = Object.fromEntries(
    exporter.fields.map(([name, field]) => [
      name,
      field.schema.optional().meta({
        description: field.label,
        ...(field.default === null ? {} : { default: field.default }),
      }),
    ]),
  );
  return z.strictObject(shape).meta({
    title: exporter.identifier,
    description: `${exporter.verboseName}${exporter.description ? ` — ${exporter.description}` : ''}`,
  });
}

/** The run bodies of every exporter of a level: the registry documents itself, one schema per exporter. */
function runBodyDocs(level: 'event' | 'organizer'): z.ZodType {
  const bodies = EXPORTERS.filter((exporter) => exporter.scope === level).map(runBodyOf);
  return bodies.length === 1 ? bodies[0]! : z.union(bodies as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

const ExporterDescription = z.object({
  identifier: z.string(),
  verbose_name: z.string(),
  input_parameters: z.array(
    z.object({
      name: z.string(),
      required: z.boolean(),
      choices: z.array(z.string()).optional(),
      type: z.string(),
      default: z.unknown(),
      label: z.string(),
    }),
  ),
});

/**
 * Data exporters at event and organizer level (pretix's E1–E4, O1–O4), plus DELETE on a download URL to
 * cancel. Every handler is a thin adapter over ExportsService.
 */
export function exportsRouter(deps: { exports: ExportsService; scopes: Scopes }): Router {
  const service = deps.exports;
  const router = Router({ strict: true });
  const levels: {
    level: 'event' | 'organizer';
    base: string;
    guard: RequestHandler;
    scope: (res: Response) => ExportScope;
  }[] = [
    {
      level: 'event',
      base: '/organizers/:organizer/events/:event/exporters',
      guard: deps.scopes.event(),
      scope: (res) => ({ level: 'event', access: eventAccessOf(res) }),
    },
    {
      level: 'organizer',
      base: '/organizers/:organizer/exporters',
      guard: deps.scopes.organizer(),
      scope: (res) => ({ level: 'organizer', access: organizerAccessOf(res) }),
    },
  ];
  for (const { level, base, guard, scope } of levels) {
    const tag = `exporters (${level})`;
    resource(router, `${base}/`, {
      docs: { tag, get: { summary: `List the ${level} exporters and their input parameters` } },
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
      docs: { tag, get: { summary: 'Show one exporter', response: ExporterDescription } },
      get: [guard, (req, res) => void res.json(service.get(scope(res), param(req, 'identifier')).describe())],
    });
    resource(router, `${base}/:identifier/run/`, {
      docs: {
        tag,
        post: {
          summary: 'Run an exporter',
          description:
            'Starts an export in the background. The body holds the input parameters of the exporter named ' +
            'in the path: one schema per exporter (its `title` is the identifier); omitted inputs take their ' +
            'defaults. Poll the returned download URL until it answers 200 with the file.',
          params: z.object({
            identifier: z.enum(EXPORTERS.filter((e) => e.scope === level).map((e) => e.identifier)),
          }),
          body: runBodyDocs(level),
          status: 202,
          response: z.object({ download: z.string().meta({ description: 'Where to fetch the file' }) }),
          errors: [429],
        },
      },
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
      docs: {
        tag,
        get: {
          summary: 'Download the exported file (409 while the export runs)',
          contentType: 'application/octet-stream',
          errors: [409, 410],
        },
        delete: { summary: 'Cancel the export and delete its file' },
      },
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
