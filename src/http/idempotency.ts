import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Db } from '../platform/db';
import { BadRequest, Conflict, NotFound } from '../shared/errors';
import { isSafeMethod } from './scope';

const RETENTION_HOURS = 24;
const MAX_KEY_LENGTH = 190;
/** Responses that say "try again" are not stored, so that the retry really runs again (as pretix does). */
const RETRYABLE_STATUSES = new Set([409, 429, 500, 503]);
const NOT_REPLAYED_HEADERS = new Set([
  'x-request-id',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

interface StoredResponse {
  auth_hash: string;
  key: string;
  locked: boolean;
  response_status: number | null;
  response_headers: Record<string, string | string[]> | null;
  response_body: Buffer | null;
}

export function authHash(authorization: string | undefined): string {
  // pretix hashes "<Authorization>:<session cookie>"; tixport has no API sessions, so the cookie part is empty.
  return createHash('sha1')
    .update(`${authorization ?? ''}:`)
    .digest('hex');
}

/**
 * pretix's X-Idempotency-Key: the first request with a key runs and its response is stored (in Postgres) for
 * 24 hours; later requests with the same key and credentials get that response replayed, whatever they send.
 * Runs before authentication and routing, as in pretix.
 */
export function idempotency(db: Db): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('X-Idempotency-Key');
    if (!key || isSafeMethod(req.method) || !req.path.startsWith('/api/')) return next();
    if (key.length > MAX_KEY_LENGTH) throw new BadRequest('Idempotency key too long.');
    const slot = { auth_hash: authHash(req.get('Authorization')), key };
    const cutoff = new Date(Date.now() - RETENTION_HOURS * 3600 * 1000);

    await db('idempotency_keys').where(slot).where('created_at', '<', cutoff).delete();
    const claimed = await db('idempotency_keys')
      .insert({ ...slot, locked: true })
      .onConflict(['auth_hash', 'key'])
      .ignore()
      .returning('key');

    if (claimed.length === 0) {
      replay(res, await db<StoredResponse>('idempotency_keys').where(slot).first());
      return;
    }

    recordResponse(db, slot, res);
    next();
  };
}

function replay(res: Response, stored: StoredResponse | undefined): void {
  if (!stored || stored.locked || stored.response_status === null) {
    throw new Conflict('Concurrent request with idempotency key.', 5);
  }
  res.status(stored.response_status).set(stored.response_headers ?? {});
  res.end(stored.response_body ?? Buffer.alloc(0));
}

/**
 * pretix's undocumented GET /api/v1/idempotency_query?key=…: replays what a key stored, for clients that lost
 * the response. It authenticates nobody, but the slot is scoped to the Authorization header sent.
 */
export function idempotencyQuery(db: Db): RequestHandler {
  return async (req, res) => {
    const key = typeof req.query.key === 'string' ? req.query.key : '';
    if (!key) throw new NotFound('No idempotency key given.');
    const cutoff = new Date(Date.now() - RETENTION_HOURS * 3600 * 1000);
    const stored = await db<StoredResponse>('idempotency_keys')
      .where({ auth_hash: authHash(req.get('Authorization')), key })
      .where('created_at', '>=', cutoff)
      .first();
    if (!stored) throw new NotFound('Idempotency key not seen before.');
    replay(res, stored);
  };
}

/** Deletes records past their retention; run periodically by the scheduler. */
export async function purgeIdempotencyKeys(db: Db): Promise<number> {
  const cutoff = new Date(Date.now() - RETENTION_HOURS * 3600 * 1000);
  return db('idempotency_keys').where('created_at', '<', cutoff).delete();
}

/** Wraps res.write/res.end so the whole response is stored before it is sent (a replay never races the store). */
function recordResponse(
  db: Db,
  slot: { auth_hash: string; key: string },
  res: Parameters<RequestHandler>[1],
): void {
  const chunks: Buffer[] = [];
  const toBuffer = (chunk: unknown, encoding?: unknown): Buffer | null => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return null;
    if (Buffer.isBuffer(chunk)) return chunk;
    return Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  };
  const originalWrite = res.write.bind(res) as (...args: unknown[]) => boolean;
  const originalEnd = res.end.bind(res) as (...args: unknown[]) => typeof res;

  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    const buffer = toBuffer(chunk, rest[0]);
    if (buffer) chunks.push(buffer);
    return originalWrite(chunk, ...rest);
  }) as typeof res.write;

  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    const buffer = toBuffer(chunk, rest[0]);
    if (buffer) chunks.push(buffer);
    const finish = async () => {
      if (RETRYABLE_STATUSES.has(res.statusCode)) {
        await db('idempotency_keys').where(slot).delete();
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(res.getHeaders()).filter(([name]) => !NOT_REPLAYED_HEADERS.has(name.toLowerCase())),
      );
      await db('idempotency_keys')
        .where(slot)
        .update({
          locked: false,
          response_status: res.statusCode,
          response_headers: JSON.stringify(headers),
          response_body: Buffer.concat(chunks),
        });
    };
    finish()
      .catch((error: unknown) => res.locals.log?.error({ err: error }, 'could not store idempotent response'))
      .finally(() => originalEnd(chunk, ...rest));
    return res;
  }) as typeof res.end;
}
