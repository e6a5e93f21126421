import { pipeline } from 'node:stream/promises';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from '../../config';
import { eventAccessOf, organizerAccessOf } from '../../http/context';
import { resource } from '../../http/routes';
import { apiPrincipal, type Scopes } from '../../http/scope';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis';
import { createStorage, type ByteRange } from '../../platform/storage';
import { CustomBodyError } from '../../shared/errors';
import type { AccessService } from '../access/access.service';
import { createExportsQueue } from './exports.jobs';
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

/** Parses a single `bytes=` range; null means "serve the whole file" (absent, multi-range or not bytes). */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(size - Number(match[2]), 0);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end || size === 0) return 'unsatisfiable';
  return { start, end };
}

/** 200 or 206 with the file; ETag is the SHA-256, which also goes out as a digest header. */
async function sendFile(req: Request, res: Response, service: ExportsService, row: ExportRow): Promise<void> {
  const size = Number(row.file_size);
  const sha256 = row.file_sha256!;
  const etag = `"${sha256}"`;
  const base64 = Buffer.from(sha256, 'hex').toString('base64');
  const ifNoneMatch = req.get('If-None-Match');
  const notModified =
    ifNoneMatch !== undefined &&
    ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  const ifRange = req.get('If-Range');
  const range = ifRange && ifRange !== etag ? null : parseRange(req.get('Range'), size);
  // Opened before any header is set: a file storage lost is answered as a failed export (410), never a 500.
  const body = await service.open(row, range && range !== 'unsatisfiable' ? range : undefined);
  if (notModified || range === 'unsatisfiable' || req.method === 'HEAD') body.destroy();
  // setHeader, not res.set: Express would append "; charset=utf-8" to text types; pretix sends the stored type.
  res.setHeader('Content-Type', row.content_type!);
  res.set({
    'Content-Disposition': `attachment; filename="${row.file_name}"`,
    ETag: etag,
    Digest: `sha-256=${base64}`,
    'Repr-Digest': `sha-256=:${base64}:`,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, no-cache',
    'Last-Modified': (row.finished_at ?? row.created_at).toUTCString(),
  });
  if (notModified) {
    res.status(304).end();
    return;
  }
  if (range === 'unsatisfiable') {
    res.status(416).set('Content-Range', `bytes */${size}`).removeHeader('Content-Type');
    res.end();
    return;
  }
  if (range) {
    res.status(206);
    res.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  }
  res.set('Content-Length', String(range ? range.end - range.start + 1 : size));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(body, res);
}

/**
 * Data exporters at event and organizer level (pretix's E1–E4, O1–O4), plus DELETE on a download URL to
 * cancel. Every handler is a thin adapter over ExportsService.
 */
export function exportsRouter(deps: {
  config: Config;
  db: Db;
  redis: Redis;
  logger: Logger;
  access: AccessService;
  scopes: Scopes;
}): Router {
  const service = new ExportsService({
    config: deps.config,
    db: deps.db,
    access: deps.access,
    queue: createExportsQueue(deps.redis, deps.config.QUEUE_PREFIX, deps.logger),
    storage: createStorage(deps.config),
  });
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
          await sendFile(req, res, service, row).catch((error: unknown) => {
            if (error instanceof CustomBodyError)
              res.locals.log.error(
                { err: error.cause, exportId: row.id },
                'export file missing from storage',
              );
            throw error;
          });
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
