import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createExportsQueue } from '../../src/modules/exports/exports.jobs';
import type { TestContext } from '../support/app';
import { readXlsx } from './files';
import {
  addTextQuestion,
  createExportsContext,
  download,
  eventWithTicket,
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

const root = path.resolve(__dirname, '../..');

/** `npm run start:worker` as a real child process on this test's database, queue prefix and storage. */
function spawnWorker(): ChildProcess {
  // node itself with tsx's loader (not the tsx wrapper, which would put a second process in between), so
  // that SIGKILL hits the worker and nothing else.
  return spawn(process.execPath, ['--import', 'tsx', 'src/main/worker.ts'], {
    cwd: root,
    env: {
      ...process.env,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      QUEUE_PREFIX: ctx.queuePrefix,
      STORAGE_DIR: ctx.config.STORAGE_DIR,
      SITE_URL: ctx.config.SITE_URL,
      EXPORT_LOCK_MS: '2000',
      DATABASE_POOL_MAX: '3',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

test('a worker killed with SIGKILL mid-export: another worker takes the job over and writes the complete file', async () => {
  const db = ctx.runtime.db;
  const { organizer, event, authorization, data, ticket } = await eventWithTicket(db);
  await addTextQuestion(db, event.id);
  for (let i = 0; i < 30; i++)
    await data.order(event.id, { positions: [{ itemId: ticket.id }, { itemId: ticket.id }] });

  child = spawnWorker();
  // Lock only once the child listens, so that other test files reading question_answers wait briefly.
  const queue = createExportsQueue(ctx.runtime.redis, ctx.queuePrefix);
  await waitFor(
    'the child worker to connect',
    async () => ((await queue.getWorkersCount()) > 0 ? true : undefined),
    60000,
  );

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
      expect(row).toMatchObject({ status: 'done', attempts: 2, file_key: `exports/${id}-2` });
      // The killed attempt's partial file was cleaned up by the next attempt.
      expect(existsSync(path.join(tmp, `${id}-1`))).toBe(false);
    } finally {
      await replacement.stop();
    }
  } finally {
    if (!blocker.isCompleted()) await blocker.rollback();
  }
}, 120000);
