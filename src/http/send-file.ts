import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { ByteRange } from '../platform/storage';

/** A stored file as a download offers it. */
export interface DownloadableFile {
  size: number;
  /** Hex SHA-256 of the whole file: the ETag, and the digest headers. */
  sha256: string;
  contentType: string;
  /** ASCII file name for Content-Disposition. */
  fileName: string;
  lastModified: Date;
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

/**
 * 200 or 206 with the file (304 for a matching If-None-Match, 416 for a range beyond it); the ETag is the
 * SHA-256, which also goes out as digest headers. `open` is called before any header is set, so a file that
 * storage lost can still be answered with an error status.
 */
export async function sendFile(
  req: Request,
  res: Response,
  file: DownloadableFile,
  open: (range?: ByteRange) => Promise<Readable>,
): Promise<void> {
  const { size, sha256 } = file;
  const etag = `"${sha256}"`;
  const base64 = Buffer.from(sha256, 'hex').toString('base64');
  const ifNoneMatch = req.get('If-None-Match');
  const notModified =
    ifNoneMatch !== undefined &&
    ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  const ifRange = req.get('If-Range');
  const range = ifRange && ifRange !== etag ? null : parseRange(req.get('Range'), size);
  const body = await open(range && range !== 'unsatisfiable' ? range : undefined);
  if (notModified || range === 'unsatisfiable' || req.method === 'HEAD') body.destroy();
  // setHeader, not res.set: Express would append "; charset=utf-8" to text types; pretix sends the stored type.
  res.setHeader('Content-Type', file.contentType);
  res.set({
    'Content-Disposition': `attachment; filename="${file.fileName}"`,
    ETag: etag,
    Digest: `sha-256=${base64}`,
    'Repr-Digest': `sha-256=:${base64}:`,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, no-cache',
    'Last-Modified': file.lastModified.toUTCString(),
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
