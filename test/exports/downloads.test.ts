import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createExportsQueue, jobIdOf } from '../../src/modules/exports/exports.jobs';
import { cleanupExpiredExports } from '../../src/modules/exports/exports.maintenance';
import { ExportsRepository } from '../../src/modules/exports/exports.repository';
import { createStorage } from '../../src/platform/storage';
import type { TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../support/factories';
import { readXlsx } from './files';
import {
  binaryParser,
  createExportsContext,
  download,
  pathOf,
  startTestWorker,
  addTextQuestion,
  eventWithTicket,
  waitFor,
  type TestWorker,
} from './support';

let ctx: TestContext;
let worker: TestWorker;
let organizer: { id: number; slug: string };
let event: { id: number; slug: string };
let token: Awaited<ReturnType<typeof makeTeamWithToken>>;

beforeAll(async () => {
  ctx = createExportsContext({ EXPORT_MAX_ACTIVE_PER_CLIENT: '50' });
  worker = startTestWorker(ctx);
  const db = ctx.runtime.db;
  const fixture = await eventWithTicket(db);
  ({ organizer, event, team: token } = fixture);
  const { data, ticket } = fixture;
  await addTextQuestion(db, event.id);
  for (let i = 0; i < 20; i++)
    await data.order(event.id, { email: `buyer${i}@example.org`, positions: [{ itemId: ticket.id }] });
});
afterAll(async () => {
  await worker.stop();
  await ctx.close();
});

const runUrl = (identifier = 'orderlist') =>
  `/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters/${identifier}/run/`;
const start = async (
  body: object = { _format: 'xlsx' },
  auth = token.authorization,
  identifier = 'orderlist',
) => {
  const res = await request(ctx.app).post(runUrl(identifier)).set('Authorization', auth).send(body);
  expect(res.status).toBe(202);
  return res.body.download as string;
};
const idOf = (url: string) => url.split('/').at(-2)!;
const get = (url: string, auth = token.authorization) =>
  request(ctx.app).get(pathOf(url)).set('Authorization', auth).buffer(true).parse(binaryParser);
const json = (res: { body: Buffer }) => JSON.parse(res.body.toString()) as unknown;

describe('GET …/download/… while the export runs', () => {
  test('answers 409 with its percentage and Retry-After, then 200 once done', async () => {
    // Hold the worker inside the second sheet: the positions query reads question_answers, which this
    // transaction locks. The orders sheet (a third of the work) is done by then.
    const blocker = await ctx.runtime.db.transaction();
    try {
      await blocker.raw('LOCK TABLE question_answers IN ACCESS EXCLUSIVE MODE');
      const url = await start({ _format: 'xlsx', paid_only: false });
      await waitFor('progress of the first sheet', async () => {
        const row = await ctx.runtime.db('exports').where('id', idOf(url)).first();
        return row.status === 'running' && row.percentage >= 33 ? row : undefined;
      });
      const res = await get(url);
      expect(res.status).toBe(409);
      expect(res.headers['retry-after']).toBe('1');
      expect(json(res)).toEqual({ status: 'running', percentage: 33.33 });
      await blocker.commit();
      const done = await download(ctx.app, url, token.authorization);
      expect(done.status).toBe(200);
      const sheets = await readXlsx(done.body);
      expect(sheets.get('Order positions')).toHaveLength(21);
    } finally {
      if (!blocker.isCompleted()) await blocker.rollback();
    }
  });
});

describe('GET …/download/… of a finished export', () => {
  let url: string;
  let body: Buffer;
  let etag: string;
  beforeAll(async () => {
    url = await start({ _format: 'orders:default', paid_only: false });
    const res = await download(ctx.app, url, token.authorization);
    expect(res.status).toBe(200);
    body = res.body;
    etag = res.headers.etag!;
  });

  test('carries length, ETag and a SHA-256 digest of the body, and can be downloaded again', async () => {
    const res = await get(url);
    expect(res.status).toBe(200);
    const sha = createHash('sha256').update(res.body).digest();
    expect(res.body.equals(body)).toBe(true);
    expect(res.headers['content-length']).toBe(String(body.length));
    expect(res.headers.etag).toBe(`"${sha.toString('hex')}"`);
    expect(res.headers.digest).toBe(`sha-256=${sha.toString('base64')}`);
    expect(res.headers['repr-digest']).toBe(`sha-256=:${sha.toString('base64')}:`);
    expect(res.headers['accept-ranges']).toBe('bytes');
  });

  test('If-None-Match with the ETag answers 304', async () => {
    const res = await get(url).set('If-None-Match', etag);
    expect(res.status).toBe(304);
  });

  test.each([
    ['bytes=0-9', 0, 9],
    ['bytes=10-', 10, -1],
    ['bytes=-5', -5, -1],
  ])('Range %s answers 206 with that slice', async (range, from, to) => {
    const res = await get(url).set('Range', range);
    expect(res.status).toBe(206);
    const start = from < 0 ? body.length + from : from;
    const end = to < 0 ? body.length - 1 : to;
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${body.length}`);
    expect(res.headers['content-length']).toBe(String(end - start + 1));
    expect(res.body.equals(body.subarray(start, end + 1))).toBe(true);
  });

  test('a Range beyond the end answers 416', async () => {
    const res = await get(url).set('Range', `bytes=${body.length + 10}-`);
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${body.length}`);
  });

  test('If-Range with another ETag gets the whole file', async () => {
    const res = await get(url).set('Range', 'bytes=0-9').set('If-Range', '"other"');
    expect(res.status).toBe(200);
    expect(res.body.equals(body)).toBe(true);
  });

  test('another token, even of the same team, gets 404', async () => {
    const db = ctx.runtime.db;
    const other = await db('team_api_tokens')
      .insert({
        team_id: token.team.id,
        name: 'second',
        token_hash: createHash('sha256').update('s'.repeat(64)).digest('hex'),
      })
      .returning('id');
    expect(other).toHaveLength(1);
    const res = await get(url, `Token ${'s'.repeat(64)}`);
    expect(res.status).toBe(404);
  });

  test('malformed ids, swapped ids and another exporter in the URL are 404, never 500', async () => {
    const [jobId, exportId] = pathOf(url).split('/').slice(-3, -1);
    const base = pathOf(url).split('/download/')[0]!;
    for (const path of [
      `${base}/download/abc/def/`,
      `${base}/download/${exportId}/${jobId}/`,
      `${base}/download/${jobId}/${exportId}x/`,
      `${base.replace('/orderlist', '/mailaddrs')}/download/${jobId}/${exportId}/`,
    ]) {
      const res = await request(ctx.app).get(path).set('Authorization', token.authorization);
      expect(res.status).toBe(404);
    }
  });

  test('after expiry it is 404 at once, and the cleanup removes file and row', async () => {
    const other = await start({ _format: 'orders:default' });
    expect((await download(ctx.app, other, token.authorization)).status).toBe(200);
    const row = await ctx.runtime.db('exports').where('id', idOf(other)).first();
    await ctx.runtime
      .db('exports')
      .where('id', row.id)
      .update({ expires_at: new Date(Date.now() - 1000) });
    expect((await get(other)).status).toBe(404);
    const file = path.join(ctx.config.STORAGE_DIR, ...row.file_key.split('/'));
    expect(existsSync(file)).toBe(true);
    await cleanupExpiredExports(
      new ExportsRepository(ctx.runtime.db),
      createStorage(ctx.config),
      ctx.queuePrefix,
    );
    expect(existsSync(file)).toBe(false);
    expect(await ctx.runtime.db('exports').where('id', row.id).first()).toBeUndefined();
  });
});

describe('DELETE …/download/…', () => {
  test.each([
    ['xlsx', (row: { percentage: number | null }) => (row.percentage ?? 0) >= 33],
    // Held inside COPY: the worker notices at the first chunk and cancels the statement on the server.
    ['positions:default', (row: { status: string }) => row.status === 'running'],
  ])(
    'cancels a running %s export: 204, then 410 "Export canceled." and no file is kept',
    async (format, running) => {
      const blocker = await ctx.runtime.db.transaction();
      try {
        await blocker.raw('LOCK TABLE question_answers IN ACCESS EXCLUSIVE MODE');
        const url = await start({ _format: format, paid_only: false });
        await waitFor('the export to run', async () => {
          const row = await ctx.runtime.db('exports').where('id', idOf(url)).first();
          return running(row) ? row : undefined;
        });
        const deleted = await request(ctx.app).delete(pathOf(url)).set('Authorization', token.authorization);
        expect(deleted.status).toBe(204);
        await blocker.commit();
        const res = await get(url);
        expect(res.status).toBe(410);
        expect(json(res)).toEqual({ status: 'failed', message: 'Export canceled.' });
        // The worker notices at its next progress write and removes its temporary file.
        await waitFor('the temporary file to go', async () => {
          const tmp = path.join(ctx.config.STORAGE_DIR, 'tmp', 'exports');
          const left = existsSync(tmp) ? readdirSync(tmp).filter((f) => f.startsWith(idOf(url))) : [];
          return left.length === 0 ? true : undefined;
        });
        const row = await ctx.runtime.db('exports').where('id', idOf(url)).first();
        expect(row).toMatchObject({ status: 'failed', file_key: null });
        // The worker (and its database connections) carry on normally.
        const next = await download(
          ctx.app,
          await start({ _format: format, paid_only: false }),
          token.authorization,
        );
        expect(next.status).toBe(200);
      } finally {
        if (!blocker.isCompleted()) await blocker.rollback();
      }
    },
  );
});

describe('exports without a worker', () => {
  let idle: TestContext;
  let organizerSlug: string;
  let eventSlug: string;
  let auth: string;
  beforeAll(async () => {
    idle = createExportsContext({ EXPORT_MAX_ACTIVE_PER_CLIENT: '2' });
    const org = await makeOrganizer(idle.runtime.db);
    const ev = await makeEvent(idle.runtime.db, org.id);
    organizerSlug = org.slug;
    eventSlug = ev.slug;
    ({ authorization: auth } = await makeTeamWithToken(idle.runtime.db, org.id, {
      permissions: ['can_view_orders'],
    }));
  });
  afterAll(() => idle.close());
  /** Ends this block's earlier runs (only its own: other test files share the database). */
  const freeSlots = () =>
    idle.runtime
      .db('exports')
      .where('queue_prefix', idle.queuePrefix)
      .whereIn('status', ['waiting', 'running'])
      .update({ status: 'failed', message: 'Export canceled.' });
  const run = () =>
    request(idle.app)
      .post(`/api/v1/organizers/${organizerSlug}/events/${eventSlug}/exporters/mailaddrs/run/`)
      .set('Authorization', auth)
      .send({ status: ['p'] });

  test('a waiting export is 409 waiting with no percentage; a third one is 429; cancelling frees a slot', async () => {
    const first = await run();
    const second = await run();
    expect([first.status, second.status]).toEqual([202, 202]);
    const waiting = await request(idle.app).get(pathOf(first.body.download)).set('Authorization', auth);
    expect(waiting.status).toBe(409);
    expect(waiting.body).toEqual({ status: 'waiting', percentage: null });

    const third = await run();
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    expect(third.body.detail).toMatch(/at most 2/);

    const cancel = await request(idle.app).delete(pathOf(first.body.download)).set('Authorization', auth);
    expect(cancel.status).toBe(204);
    const gone = await request(idle.app).get(pathOf(first.body.download)).set('Authorization', auth);
    expect(gone.status).toBe(410);
    expect(gone.body).toEqual({ status: 'failed', message: 'Export canceled.' });
    const queue = createExportsQueue(idle.runtime.redis, idle.queuePrefix);
    expect(await queue.getJobState(jobIdOf(idOf(first.body.download)))).toBe('unknown');
    expect((await run()).status).toBe(202);
  });

  test('the reconciler re-enqueues an export whose Redis job vanished, and a worker finishes it', async () => {
    await freeSlots();
    const res = await run();
    expect(res.status).toBe(202);
    const queue = createExportsQueue(idle.runtime.redis, idle.queuePrefix);
    const jobId = jobIdOf(idOf(res.body.download));
    expect(await queue.getJobState(jobId)).toBe('waiting');
    await queue.remove(jobId);
    expect(await queue.getJobState(jobId)).toBe('unknown');

    const late = startTestWorker(idle);
    try {
      const done = await download(idle.app, res.body.download, auth);
      expect(done.status).toBe(410); // no paid orders in this event: the exporter's own message
      expect(json(done)).toEqual({ status: 'failed', message: 'Your export did not contain any data.' });
    } finally {
      await late.stop();
    }
  });

  test('an export that used up its attempts is given up with 410', async () => {
    await freeSlots();
    const res = await run();
    await idle.runtime.db('exports').where('id', idOf(res.body.download)).update({ attempts: 3 });
    const late = startTestWorker(idle, { EXPORT_MAX_ATTEMPTS: '3' });
    try {
      const done = await download(idle.app, res.body.download, auth);
      expect(done.status).toBe(410);
      expect(json(done)).toEqual({
        status: 'failed',
        message: 'The export was interrupted too often and has been given up.',
      });
    } finally {
      await late.stop();
    }
  });
});

describe('permissions when the job runs', () => {
  test("a token deactivated after the start gets 410 with pretix's permission message", async () => {
    const idle = createExportsContext();
    try {
      const { organizer: org, event: ev, team } = await eventWithTicket(idle.runtime.db);
      const run = await request(idle.app)
        .post(`/api/v1/organizers/${org.slug}/events/${ev.slug}/exporters/orderlist/run/`)
        .set('Authorization', team.authorization)
        .send({ _format: 'xlsx' });
      expect(run.status).toBe(202);
      await idle.runtime.db('team_api_tokens').where('id', team.tokenId).update({ active: false });
      const late = startTestWorker(idle);
      try {
        await waitFor('the export to fail', async () => {
          const row = await idle.runtime.db('exports').where('id', idOf(run.body.download)).first();
          return row.status === 'failed' ? row : undefined;
        });
        const row = await idle.runtime.db('exports').where('id', idOf(run.body.download)).first();
        expect(row.message).toBe(
          'Export not found or you do not have sufficient permission to perform this export.',
        );
      } finally {
        await late.stop();
      }
    } finally {
      await idle.close();
    }
  });
});

describe('POST …/run/ with Redis down', () => {
  test('answers 503 and writes nothing', async () => {
    const down = createExportsContext({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const org = await makeOrganizer(down.runtime.db);
      const ev = await makeEvent(down.runtime.db, org.id);
      const team = await makeTeamWithToken(down.runtime.db, org.id, { permissions: ['can_view_orders'] });
      const res = await request(down.app)
        .post(`/api/v1/organizers/${org.slug}/events/${ev.slug}/exporters/mailaddrs/run/`)
        .set('Authorization', team.authorization)
        .send({ status: ['p'] });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(await down.runtime.db('exports').where('organizer_id', org.id)).toEqual([]);
    } finally {
      await down.close();
    }
  });
});
