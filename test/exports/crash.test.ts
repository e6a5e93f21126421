import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { TestContext } from '../support/app';
import { readXlsx } from './files';
import {
  addTextQuestion,
  createExportsContext,
  download,
  eventWithTicket,
  spawnWorkerProcess,
  startTestWorker,
  waitFor,
} from './support';

let ctx: TestContext;
let child: ChildProcess | undefined;

beforeAll(() => {
  ctx = createExportsContext();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await ctx.close();
});

test('a worker killed with SIGKILL mid-export: another worker takes the job over and writes the complete file', async () => {
  const db = ctx.runtime.db;
  const { organizer, event, authorization, data, ticket } = await eventWithTicket(db);
  await addTextQuestion(db, event.id);
  for (let i = 0; i < 30; i++)
    await data.order(event.id, { positions: [{ itemId: ticket.id }, { itemId: ticket.id }] });

  // Lock only once the child listens, so that other test files reading question_answers wait briefly.
  child = await spawnWorkerProcess(ctx);

  // The child gets as far as the second sheet and then waits for this lock: a crash in the middle of a run.
  const blocker = await db.transaction();
  let id = '';
  try {
    await blocker.raw('LOCK TABLE question_answers IN ACCESS EXCLUSIVE MODE');
    const run = await request(ctx.app)
      .post(`/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters/orderlist/run/`)
      .set('Authorization', authorization)
      .send({ _format: 'xlsx' });
    expect(run.status).toBe(202);
    id = run.body.download.split('/').at(-2);
    await waitFor(
      'the child worker to be in the middle of the export',
      async () => {
        const row = await db('exports').where('id', id).first();
        return row.status === 'running' && row.percentage >= 33 ? row : undefined;
      },
      60000,
    );
    const tmp = path.join(ctx.config.STORAGE_DIR, 'tmp', 'exports');
    expect(readdirSync(tmp)).toContain(`${id}-1`);
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    await blocker.commit();

    const replacement = startTestWorker(ctx, { EXPORT_LOCK_MS: '2000' });
    try {
      const res = await download(ctx.app, run.body.download, authorization, 60000);
      expect(res.status).toBe(200);
      const sheets = await readXlsx(res.body);
      expect(sheets.get('Orders')).toHaveLength(31);
      expect(sheets.get('Order positions')).toHaveLength(61);
      const row = await db('exports').where('id', id).first();
      // Attempt 2 is the takeover; on a loaded machine a short lock can lapse once more (attempt 3), which is
      // the same recovery again. Either way the committed file is the last attempt's.
      expect(row.attempts).toBeGreaterThanOrEqual(2);
      expect(row).toMatchObject({ status: 'done', file_key: `exports/${id}-${row.attempts}` });
      // The killed attempt's partial file was cleaned up by the next attempt.
      expect(existsSync(path.join(tmp, `${id}-1`))).toBe(false);
    } finally {
      await replacement.stop();
    }
  } finally {
    if (!blocker.isCompleted()) await blocker.rollback();
  }
}, 120000);
