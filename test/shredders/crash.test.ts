import type { ChildProcess } from 'node:child_process';
import request from 'supertest';
import { SHREDDERS } from '../../src/modules/shredders/shredders/index';
import { createStorage } from '../../src/platform/storage';
import type { TestContext } from '../support/app';
import { makeTeamWithToken } from '../support/factories';
import {
  createExportsContext,
  download,
  pathOf,
  spawnWorkerProcess,
  startTestWorker,
  waitFor,
} from '../exports/support';
import { diff, seedShredEvent, snapshot } from './support';

let ctx: TestContext;
let child: ChildProcess | undefined;

beforeAll(() => {
  ctx = createExportsContext();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await ctx.close();
});

test('a worker killed with SIGKILL mid-shred leaves the data untouched, and the retried job shreds all of it', async () => {
  const db = ctx.runtime.db;
  const seeded = await seedShredEvent(db, createStorage(ctx.config));
  const { authorization } = await makeTeamWithToken(db, seeded.organizer.id, { permissions: 'all' });
  const base = `/api/v1/organizers/${seeded.organizer.slug}/events/${seeded.event.slug}/shredders`;
  const all = SHREDDERS.map((s) => s.identifier);

  child = await spawnWorkerProcess(ctx);
  const started = await request(ctx.app)
    .post(`${base}/export/`)
    .set('Authorization', authorization)
    .send({ shredders: all });
  expect(started.status).toBe(202);
  expect((await download(ctx.app, started.body.download, authorization, 60000)).status).toBe(200);
  const before = await snapshot(db, seeded.event.id);

  // Waiting list is the last shredder: the child erases with all the others inside its one transaction, then
  // waits for these row locks (of this event only). That is where it dies.
  const blocker = await db.transaction();
  try {
    await blocker('waiting_list_entries').where('event_id', seeded.event.id).forUpdate().select('id');
    const shred = await request(ctx.app).post(pathOf(started.body.shred)).set('Authorization', authorization);
    expect(shred.status).toBe(202);
    const shredRunId = shred.body.status.split('/').at(-2);
    await waitFor(
      'the child worker to be in the middle of the shred',
      async () => {
        const row = await db('exports').where('id', shredRunId).first();
        return row?.status === 'running' && row.percentage >= 80 ? row : undefined;
      },
      60000,
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    // Nothing of the killed transaction is visible: the data is untouched.
    expect(diff(before, await snapshot(db, seeded.event.id))).toEqual({});
    await blocker.rollback();

    const replacement = startTestWorker(ctx, { EXPORT_LOCK_MS: '2000' });
    try {
      const status = await waitFor(
        'the retried shred',
        async () => {
          const res = await request(ctx.app)
            .get(pathOf(shred.body.status))
            .set('Authorization', authorization);
          return res.status === 409 ? undefined : res;
        },
        60000,
      );
      expect(status.status).toBe(200);
      expect(status.body).toEqual({ status: 'ok', message: 'OK' });
      // The status is ok as soon as the shred committed; the run is marked done right after.
      const run = await waitFor('the shred run to be done', async () => {
        const row = await db('exports').where('id', shredRunId).first();
        return row.status === 'done' ? row : undefined;
      });
      // The killed attempt and at least one more (a short lock may lapse once more on a loaded machine).
      expect(run.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await replacement.stop();
    }
  } finally {
    if (!blocker.isCompleted()) await blocker.rollback();
  }

  // Fully shredded: every shredder's erasure is there.
  const changes = diff(before, await snapshot(db, seeded.event.id));
  expect(Object.keys(changes).sort()).toEqual([
    'invoice_addresses',
    'order_payments',
    'order_positions',
    'order_refunds',
    'orders',
    'question_answer_options',
    'question_answers',
    'waiting_list_entries',
  ]);
  const after = await snapshot(db, seeded.event.id);
  expect(after.orders!.map((o) => [o.email, o.phone])).toEqual([
    [null, null],
    [null, null],
  ]);
  expect(after.question_answers).toEqual([]);
  expect(after.invoice_addresses).toEqual([]);
  expect(after.waiting_list_entries!.map((w) => [w.email, w.phone])).toEqual([
    ['█', '█'],
    ['█', '█'],
  ]);
}, 180000);
