import JSZip from 'jszip';
import request from 'supertest';
import { answerUploadKey } from '../../src/modules/questions/answers';
import { SHREDDERS } from '../../src/modules/shredders/shredders/index';
import { createStorage } from '../../src/platform/storage';
import { isMissingFile } from '../../src/platform/storage';
import type { TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../support/factories';
import { readXlsx, records } from '../exports/files';
import {
  createExportsContext,
  download,
  pathOf,
  startTestWorker,
  waitFor,
  type TestWorker,
} from '../exports/support';
import { diff, seedShredEvent, snapshot } from './support';

let ctx: TestContext;
let worker: TestWorker;

beforeAll(() => {
  ctx = createExportsContext({ EXPORT_MAX_ACTIVE_PER_CLIENT: '20' });
  worker = startTestWorker(ctx);
});
afterAll(async () => {
  await worker.stop();
  await ctx.close();
});

const DAY = 24 * 3600 * 1000;
const CHANGED = 'Something happened in your event after the export, please try again.';
const UNKNOWN_FILE = { detail: 'No CachedFile matches the given query.' };

/** A seeded, finished event and a token with every permission on its organizer. */
async function setup() {
  const db = ctx.runtime.db;
  const storage = createStorage(ctx.config);
  const seeded = await seedShredEvent(db, storage);
  const team = await makeTeamWithToken(db, seeded.organizer.id, { permissions: 'all' });
  const base = `/api/v1/organizers/${seeded.organizer.slug}/events/${seeded.event.slug}/shredders`;
  return { ...seeded, db, storage, team, authorization: team.authorization, base };
}

function post(path: string, authorization: string, body?: object) {
  const req = request(ctx.app).post(path).set('Authorization', authorization);
  return body === undefined ? req : req.send(body);
}

function get(path: string, authorization: string) {
  return request(ctx.app).get(path).set('Authorization', authorization);
}

/** Polls a status URL until it stops answering 409. */
async function finalStatus(url: string, authorization: string) {
  return waitFor(`status of ${url}`, async () => {
    const res = await get(pathOf(url), authorization);
    return res.status === 409 ? undefined : res;
  });
}

async function exported(base: string, authorization: string, shredders: string[]) {
  const started = await post(`${base}/export/`, authorization, { shredders });
  expect(started.status).toBe(202);
  const file = await download(ctx.app, started.body.download, authorization);
  expect(file.status).toBe(200);
  return { urls: started.body as { download: string; shred: string }, file };
}

describe('pretix’s test_shredders.py', () => {
  test('test_event_list: lists the shredders (sorted by name) and shows one', async () => {
    const { base, authorization } = await setup();
    const described = SHREDDERS.map((s) => s.describe());
    const list = await get(`${base}/`, authorization);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ count: 9, next: null, previous: null, results: described });
    expect(list.body.results).toContainEqual(
      expect.objectContaining({ identifier: 'question_answers', verbose_name: 'Question answers' }),
    );
    const one = await get(`${base}/question_answers/`, authorization);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      identifier: 'question_answers',
      verbose_name: 'Question answers',
      description: 'This will remove all answers to questions, as well as logged changes to them.',
      tax_relevant: false,
    });
  });

  test('test_event_validate: an event that is not over yet gives a bare list, and nothing is written', async () => {
    const db = ctx.runtime.db;
    const organizer = await makeOrganizer(db);
    const event = await makeEvent(db, organizer.id, {
      date_from: new Date(Date.now() + 3 * DAY).toISOString(),
    });
    await db('events')
      .where('id', event.id)
      .update({ date_to: new Date(Date.now() + 4 * DAY) });
    const { authorization } = await makeTeamWithToken(db, organizer.id, { permissions: 'all' });
    const res = await post(
      `/api/v1/organizers/${organizer.slug}/events/${event.slug}/shredders/export/`,
      authorization,
      { shredders: ['question_answers'] },
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual(['Your event needs to be over to use this feature.']);
    expect(await db('exports').where('event_id', event.id).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await db('shred_runs').where('event_id', event.id).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  test('test_run_success: export, download, shred, status; the download is gone and the email empty', async () => {
    const db = ctx.runtime.db;
    const organizer = await makeOrganizer(db);
    const event = await makeEvent(db, organizer.id, {
      date_from: new Date(Date.now() - 90 * DAY).toISOString(),
    });
    const order = await db('orders')
      .insert({
        event_id: event.id,
        code: 'FOO',
        status: 'p',
        secret: 'k24fiuwvu8kxz3y1',
        email: 'dummy@dummy.test',
        datetime: new Date(),
        expires: new Date(Date.now() + 10 * DAY),
        total: '23.00',
      })
      .returning('id');
    const { authorization } = await makeTeamWithToken(db, organizer.id, { permissions: 'all' });
    const base = `/api/v1/organizers/${organizer.slug}/events/${event.slug}/shredders`;

    const started = await post(`${base}/export/`, authorization, { shredders: ['order_emails'] });
    expect(started.status).toBe(202);
    expect(Object.keys(started.body).sort()).toEqual(['download', 'shred']);
    expect(started.body.download).toMatch(
      new RegExp(`^http://tixport.test${base}/download/[0-9a-f-]{36}/[0-9a-f-]{36}/$`),
    );
    expect(started.body.shred).toBe(started.body.download.replace('/download/', '/shred/'));

    const file = await download(ctx.app, started.body.download, authorization);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/zip');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="${event.slug}.zip"`);
    const zip = await JSZip.loadAsync(file.body);
    expect(JSON.parse(await zip.file('emails-by-order.json')!.async('string'))).toEqual({
      FOO: 'dummy@dummy.test',
    });

    const shred = await post(pathOf(started.body.shred), authorization);
    expect(shred.status).toBe(202);
    expect(Object.keys(shred.body)).toEqual(['status']);
    expect(shred.body.status).toMatch(
      new RegExp(`^http://tixport.test${base}/status/[0-9a-f-]{36}/[0-9a-f-]{36}/$`),
    );

    // pretix (without a task queue) answers 410 here; with one, as tixport always has, 200.
    const status = await finalStatus(shred.body.status, authorization);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ status: 'ok', message: 'OK' });

    const again = await get(pathOf(started.body.download), authorization);
    expect(again.status).toBe(404);
    expect(again.body).toEqual(UNKNOWN_FILE);
    expect((await db('orders').where('id', order[0].id).first()).email).toBeNull();
  });

  test('test_download_nonexisting: an unknown download URL is a 404', async () => {
    const { base, authorization } = await setup();
    const res = await get(
      `${base}/download/8a6ec0a5-b0ca-41b0-9b4c-6a4e1d3a0c52/ff3aa6d3-4f8f-44e5-a0c8-d1d0d0d53d40/`,
      authorization,
    );
    expect(res.status).toBe(404);
    expect(res.body).toEqual(UNKNOWN_FILE);
    const malformed = await get(`${base}/download/nope/nope/`, authorization);
    expect(malformed.status).toBe(404);
    expect(malformed.body).toEqual(UNKNOWN_FILE);
  });
});

describe('POST …/shredders/export/ validation', () => {
  test.each([
    [{}, { shredders: ['This field is required.'] }],
    [{ shredders: ['x'] }, { shredders: ['"x" is not a valid choice.'] }],
    [{ shredders: ['order_emails', 'x'] }, { shredders: ['"x" is not a valid choice.'] }],
    [{ shredders: 'order_emails' }, { shredders: ['Expected a list of items but got type "str".'] }],
    [{ shredders: 5 }, { shredders: ['Expected a list of items but got type "int".'] }],
    [{ shredders: null }, { shredders: ['This field may not be null.'] }],
    [{ shredders: true }, { shredders: ['Expected a list of items but got type "bool".'] }],
    // DRF iterates a dict: its keys are the choices.
    [{ shredders: { order_emails: 1, x: 2 } }, { shredders: ['"x" is not a valid choice.'] }],
    [{ shredders: [1] }, { shredders: ['"1" is not a valid choice.'] }],
    [['order_emails'], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
  ])('%j answers 400 %j and writes nothing', async (body, errors) => {
    const { base, authorization, db, event } = await setup();
    const res = await post(`${base}/export/`, authorization, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errors);
    expect(await db('shred_runs').where('event_id', event.id).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  test('a live shop answers the offline constraint as a bare list', async () => {
    const { base, authorization, db, event } = await setup();
    await db('events').where('id', event.id).update({ live: true });
    const res = await post(`${base}/export/`, authorization, { shredders: ['order_emails'] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(['Your ticket shop needs to be offline to use this feature.']);
    expect(await db('exports').where('event_id', event.id).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  test('an empty list is accepted: the ZIP holds only CONFIRM_CODE.txt and index.json', async () => {
    const { base, authorization, organizer, event } = await setup();
    const { file } = await exported(base, authorization, []);
    const zip = await JSZip.loadAsync(file.body);
    expect(Object.keys(zip.files).sort()).toEqual(['CONFIRM_CODE.txt', 'index.json']);
    const index = JSON.parse(await zip.file('index.json')!.async('string'));
    const code = await zip.file('CONFIRM_CODE.txt')!.async('string');
    expect(index).toEqual({
      instance: 'http://tixport.test',
      organizer: organizer.slug,
      event: event.slug,
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/),
      shredders: [],
      confirm_code: code,
    });
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
  });

  test('GET …/export/ is a 405, an unknown shredder a 404, a token without can_change_orders a 403', async () => {
    const { base, authorization, db, organizer } = await setup();
    expect((await get(`${base}/export/`, authorization)).status).toBe(405);
    const unknown = await get(`${base}/nope/`, authorization);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Not found.' });
    const viewer = await makeTeamWithToken(db, organizer.id, { permissions: ['can_view_orders'] });
    for (const res of [
      await get(`${base}/`, viewer.authorization),
      await post(`${base}/export/`, viewer.authorization, { shredders: [] }),
      await post(`${base}/dry_run/`, viewer.authorization, { shredders: [] }),
      await get(`${base}/runs/`, viewer.authorization),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    }
  });
});

describe('the export → shred → status state machine', () => {
  test('without a worker: the download and the shred answer 409 waiting; then 200, and the status 409 until the shred ran', async () => {
    const idle = createExportsContext();
    try {
      const db = idle.runtime.db;
      const seeded = await seedShredEvent(db, createStorage(idle.config));
      const { authorization } = await makeTeamWithToken(db, seeded.organizer.id, { permissions: 'all' });
      const base = `/api/v1/organizers/${seeded.organizer.slug}/events/${seeded.event.slug}/shredders`;
      const started = await request(idle.app)
        .post(`${base}/export/`)
        .set('Authorization', authorization)
        .send({ shredders: ['phone_numbers'] });
      expect(started.status).toBe(202);
      const waiting = await request(idle.app)
        .get(pathOf(started.body.download))
        .set('Authorization', authorization);
      expect(waiting.status).toBe(409);
      expect(waiting.body).toEqual({ status: 'waiting', percentage: null });
      const early = await request(idle.app)
        .post(pathOf(started.body.shred))
        .set('Authorization', authorization);
      expect(early.status).toBe(409);
      expect(early.body).toEqual({ status: 'waiting', percentage: null });

      let idleWorker = startTestWorker(idle);
      expect((await download(idle.app, started.body.download, authorization)).status).toBe(200);
      await idleWorker.stop();
      const shred = await request(idle.app)
        .post(pathOf(started.body.shred))
        .set('Authorization', authorization);
      expect(shred.status).toBe(202);
      const pending = await request(idle.app)
        .get(pathOf(shred.body.status))
        .set('Authorization', authorization);
      expect(pending.status).toBe(409);
      expect(pending.body).toEqual({ status: 'waiting' });
      // Asking again while it waits starts nothing new: the same status URL.
      const twice = await request(idle.app)
        .post(pathOf(started.body.shred))
        .set('Authorization', authorization);
      expect(twice.status).toBe(202);
      expect(twice.body).toEqual(shred.body);

      idleWorker = startTestWorker(idle);
      const done = await waitFor('the shred', async () => {
        const res = await request(idle.app)
          .get(pathOf(shred.body.status))
          .set('Authorization', authorization);
        return res.status === 409 ? undefined : res;
      });
      await idleWorker.stop();
      expect(done.status).toBe(200);
      expect((await db('orders').where('id', seeded.orders.first.id).first()).phone).toBeNull();
    } finally {
      await idle.close();
    }
  });

  test('an export that failed answers 410 on download and shred', async () => {
    const idle = createExportsContext();
    try {
      const db = idle.runtime.db;
      const seeded = await seedShredEvent(db, createStorage(idle.config));
      const { authorization, team } = await makeTeamWithToken(db, seeded.organizer.id, {
        permissions: 'all',
      });
      const base = `/api/v1/organizers/${seeded.organizer.slug}/events/${seeded.event.slug}/shredders`;
      const started = await request(idle.app)
        .post(`${base}/export/`)
        .set('Authorization', authorization)
        .send({ shredders: ['phone_numbers'] });
      expect(started.status).toBe(202);
      // The token loses the permission before the worker gets to the run: the run-time re-check fails it.
      await db('teams').where('id', team.id).update({ can_change_orders: false });
      const idleWorker = startTestWorker(idle);
      await waitFor('the export to fail', async () => {
        const row = await db('exports').where('event_id', seeded.event.id).first();
        return row?.status === 'failed' ? row : undefined;
      });
      await idleWorker.stop();
      await db('teams').where('id', team.id).update({ can_change_orders: true });
      const failed = {
        status: 'failed',
        message: 'Export not found or you do not have sufficient permission to perform this export.',
      };
      const res = await request(idle.app)
        .get(pathOf(started.body.download))
        .set('Authorization', authorization);
      expect(res.status).toBe(410);
      expect(res.body).toEqual(failed);
      const shred = await request(idle.app)
        .post(pathOf(started.body.shred))
        .set('Authorization', authorization);
      expect(shred.status).toBe(410);
      expect(shred.body).toEqual(failed);
      expect((await db('orders').where('id', seeded.orders.first.id).first()).phone).toBe('+49 30 1234567');
    } finally {
      await idle.close();
    }
  });

  test('a change in the event after the export makes the shred fail with 417, and nothing is erased', async () => {
    const { base, authorization, db, orders, event } = await setup();
    const { urls } = await exported(base, authorization, ['order_emails', 'phone_numbers']);
    await db('orders').where('id', orders.first.id).update({ email: 'changed@example.org' });
    const before = await snapshot(db, event.id);
    const shred = await post(pathOf(urls.shred), authorization);
    expect(shred.status).toBe(202);
    const status = await finalStatus(shred.body.status, authorization);
    expect(status.status).toBe(417);
    expect(status.body).toEqual({ status: 'failed', message: CHANGED });
    expect(diff(before, await snapshot(db, event.id))).toEqual({});
    const audit = await get(`${base}/runs/`, authorization);
    expect(audit.body.results).toEqual([
      expect.objectContaining({ status: 'failed', message: CHANGED, erased_counts: null }),
    ]);
    // The ZIP is still there (nothing was shredded); a new export of the current data then shreds.
    expect((await get(pathOf(urls.download), authorization)).status).toBe(200);
    const fresh = await exported(base, authorization, ['order_emails', 'phone_numbers']);
    const retry = await post(pathOf(fresh.urls.shred), authorization);
    expect((await finalStatus(retry.body.status, authorization)).status).toBe(200);
    expect((await db('orders').where('id', orders.first.id).first()).email).toBeNull();
  });

  test('constraints are checked again at the shred: a shop gone live answers 400', async () => {
    const { base, authorization, db, event } = await setup();
    const { urls } = await exported(base, authorization, ['order_emails']);
    await db('events').where('id', event.id).update({ live: true });
    const res = await post(pathOf(urls.shred), authorization);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(['Your ticket shop needs to be offline to use this feature.']);
    expect(await db('exports').where({ event_id: event.id, kind: 'shred' }).count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
  });

  test('an unknown status URL is 410 gone', async () => {
    const { base, authorization } = await setup();
    const res = await get(
      `${base}/status/8a6ec0a5-b0ca-41b0-9b4c-6a4e1d3a0c52/ff3aa6d3-4f8f-44e5-a0c8-d1d0d0d53d40/`,
      authorization,
    );
    expect(res.status).toBe(410);
    expect(res.body).toEqual({ status: 'gone', message: 'May have succeeded or timed out' });
  });

  test('results belong to the exact token that started the export: another token gets 404 everywhere', async () => {
    const { base, authorization, db, organizer, orders } = await setup();
    const other = await makeTeamWithToken(db, organizer.id, { permissions: 'all' });
    const { urls } = await exported(base, authorization, ['phone_numbers']);
    const foreignDownload = await get(pathOf(urls.download), other.authorization);
    expect(foreignDownload.status).toBe(404);
    expect(foreignDownload.body).toEqual(UNKNOWN_FILE);
    const foreignShred = await post(pathOf(urls.shred), other.authorization);
    expect(foreignShred.status).toBe(404);
    expect(foreignShred.body).toEqual(UNKNOWN_FILE);
    const shred = await post(pathOf(urls.shred), authorization);
    expect(shred.status).toBe(202);
    const foreignStatus = await get(pathOf(shred.body.status), other.authorization);
    expect(foreignStatus.status).toBe(404);
    expect(foreignStatus.body).toEqual(UNKNOWN_FILE);
    expect((await finalStatus(shred.body.status, authorization)).status).toBe(200);
    expect((await db('orders').where('id', orders.first.id).first()).phone).toBeNull();
  });
});

describe('POST …/shredders/dry_run/ and GET …/shredders/runs/', () => {
  test('the dry run writes nothing, and its counts are what the shred then exports and erases', async () => {
    const { base, authorization, db, event, storage, fileKey, team } = await setup();
    const all = SHREDDERS.map((s) => s.identifier);
    const before = await snapshot(db, event.id);
    const dry = await post(`${base}/dry_run/`, authorization, { shredders: all });
    expect(dry.status).toBe(200);
    expect(diff(before, await snapshot(db, event.id))).toEqual({});
    expect(dry.body.constraints).toEqual([]);
    const counts = Object.fromEntries(
      (dry.body.shredders as { identifier: string; export: unknown; erase: unknown }[]).map((s) => [
        s.identifier,
        s,
      ]),
    );
    expect(counts.order_emails).toEqual({
      identifier: 'order_emails',
      verbose_name: 'Emails',
      export: { files: 2, records: 2 },
      erase: { rows: 2, fields: 2, deleted: 0, files: 0 },
    });
    expect(counts.question_answers!.erase).toEqual({ rows: 0, fields: 0, deleted: 4, files: 1 });

    const { urls, file } = await exported(base, authorization, all);
    const zip = await JSZip.loadAsync(file.body);
    expect(JSON.parse(await zip.file('index.json')!.async('string')).shredders).toEqual(all);
    const shred = await post(pathOf(urls.shred), authorization);
    expect((await finalStatus(shred.body.status, authorization)).status).toBe(200);

    const runs = await get(`${base}/runs/`, authorization);
    expect(runs.status).toBe(200);
    expect(runs.body.count).toBe(1);
    const [run] = runs.body.results;
    expect(run).toEqual({
      id: expect.any(String),
      created: expect.any(String),
      started_by: `token:${team.tokenId}`,
      shredders: all,
      status: 'shredded',
      message: null,
      exported: expect.any(String),
      shred_requested: expect.any(String),
      finished: expect.any(String),
      exported_counts: Object.fromEntries(all.map((id) => [id, counts[id]!.export])),
      erased_counts: Object.fromEntries(all.map((id) => [id, counts[id]!.erase])),
    });
    // The uploaded answer file and the ZIP are gone from storage once the shred has committed.
    await waitFor('the files to be deleted', async () => {
      const gone = await storage.read(answerUploadKey(fileKey)).then(
        (stream) => (stream.destroy(), false),
        (error: unknown) => isMissingFile(error),
      );
      const zipRun = await db('exports').where({ event_id: event.id, kind: 'shred_export' }).first();
      return gone && !zipRun ? true : undefined;
    });
    // Shredding again finds nothing left.
    const after = await post(`${base}/dry_run/`, authorization, { shredders: all });
    for (const s of after.body.shredders)
      expect(s.erase).toEqual({ rows: 0, fields: 0, deleted: 0, files: 0 });
  });

  test('an export never shredded shows as expired in the audit once its 2 h are over', async () => {
    const { base, authorization, db, event } = await setup();
    await exported(base, authorization, ['phone_numbers']);
    await waitFor('the export hook', async () =>
      (await db('shred_runs').where('event_id', event.id).first())?.status === 'exported' ? true : undefined,
    );
    const fresh = await get(`${base}/runs/`, authorization);
    expect(fresh.body.results.map((r: { status: string }) => r.status)).toEqual(['exported']);
    await db('shred_runs')
      .where('event_id', event.id)
      .update({ created_at: new Date(Date.now() - 2 * 3600 * 1000 - 1000) });
    const old = await get(`${base}/runs/`, authorization);
    expect(old.body.results.map((r: { status: string }) => r.status)).toEqual(['expired']);
  });

  test('an orderlist export after a shred shows the erased fields empty', async () => {
    const { base, authorization, organizer, event, orders } = await setup();
    const { urls } = await exported(base, authorization, [
      'order_emails',
      'phone_numbers',
      'attendee_info',
      'invoice_addresses',
    ]);
    const shred = await post(pathOf(urls.shred), authorization);
    expect((await finalStatus(shred.body.status, authorization)).status).toBe(200);
    const run = await post(
      `/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters/orderlist/run/`,
      authorization,
      { _format: 'xlsx' },
    );
    expect(run.status).toBe(202);
    const file = await download(ctx.app, run.body.download, authorization);
    expect(file.status).toBe(200);
    const sheets = await readXlsx(file.body);
    const first = records(sheets.get('Orders')!).find((row) => row['Order code'] === orders.first.code)!;
    expect(first.Email).toBeNull();
    expect(first['Phone number']).toBeNull();
    // The invoice address is deleted: its columns are empty.
    expect(first.Name).toBeNull();
    expect(first.Company).toBeNull();
    expect(first['VAT ID']).toBeNull();
    const positions = records(sheets.get('Order positions')!).filter(
      (row) => row['Order code'] === orders.first.code,
    );
    expect(positions.length).toBeGreaterThan(0);
    for (const position of positions) {
      expect(position['Attendee name']).toBeNull();
      expect(position['Attendee email']).toBeNull();
      expect(position['Attendee company']).toBeNull();
    }
  });
});
