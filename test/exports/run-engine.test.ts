import { createHash } from 'node:crypto';
import { AccessService } from '../../src/modules/access/access.service';
import { userPrincipal } from '../../src/modules/access/principal';
import { exporterProducerOf } from '../../src/modules/exports/exporter-producer';
import { createExportsQueue, type ExportsQueue } from '../../src/modules/exports/exports.jobs';
import type { ExportRow } from '../../src/modules/exports/exports.repository';
import { NOT_PERMITTED_MESSAGE } from '../../src/modules/exports/exports.runner';
import { ExportsService } from '../../src/modules/exports/exports.service';
import { startExportsWorker } from '../../src/modules/exports/exports.worker';
import type { ProducerLookup, RunFinishedHook } from '../../src/modules/exports/runs/producer';
import { TeamsService } from '../../src/modules/teams/teams.service';
import { deactivateUser } from '../../src/modules/users/users.service';
import { createRedis, type Redis } from '../../src/platform/redis';
import { createStorage } from '../../src/platform/storage';
import { CustomBodyError } from '../../src/shared/errors';
import type { TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken, makeUser } from '../support/factories';
import { createExportsContext, eventWithTicket, startTestWorker, waitFor } from './support';

let ctx: TestContext;
let queue: ExportsQueue;
let service: ExportsService;
let access: AccessService;

beforeAll(() => {
  ctx = createExportsContext();
  access = new AccessService(ctx.runtime.db);
  queue = createExportsQueue(ctx.runtime.redis, ctx.queuePrefix);
  service = new ExportsService({
    config: ctx.config,
    db: ctx.runtime.db,
    access,
    queue,
    storage: createStorage(ctx.config),
  });
});
afterAll(async () => {
  await queue.close();
  await ctx.close();
});

const finishedRun = (id: string) =>
  waitFor(`run ${id} to finish`, async () => {
    const row = await service.findRun(id);
    return row && (row.status === 'done' || row.status === 'failed') ? row : undefined;
  });

/** What a client polling the run would be answered: the 409/410 body, or 200 for a finished file. */
function answerFor(row: ExportRow): { status: number; body?: unknown } {
  try {
    service.pendingError(row);
    return { status: 200 };
  } catch (error) {
    if (error instanceof CustomBodyError) return { status: error.status, body: error.body() };
    throw error;
  }
}

describe('runs started without a request, as a user principal', () => {
  test("succeed with the user's permissions, and fail with 410 once the user is deactivated or leaves the team", async () => {
    const db = ctx.runtime.db;
    const { organizer, event, data, ticket } = await eventWithTicket(db);
    await data.order(event.id, { email: 'ada@example.org', positions: [{ itemId: ticket.id }] });
    const teams = new TeamsService(db);

    const memberOfViewers = async () => {
      const user = await makeUser(db);
      const { team } = await makeTeamWithToken(db, organizer.id, {
        permissions: ['can_view_orders'],
        members: [user.email],
      });
      return { user, team };
    };
    const startAs = async (userId: number) => {
      const scope = {
        level: 'event' as const,
        access: await access.eventAccessById(userPrincipal(userId), organizer.id, event.id),
      };
      const prepared = await service.prepare(scope, 'mailaddrs', { status: ['p'] });
      return db.transaction((trx) =>
        service.record(
          trx,
          { ...prepared, kind: 'scheduled_export', principalKey: userPrincipal(userId).key },
          { enforceCap: false },
        ),
      );
    };

    const unchanged = await memberOfViewers();
    const deactivated = await memberOfViewers();
    const leftTeam = await memberOfViewers();
    const runs = {
      unchanged: await startAs(unchanged.user.id),
      deactivated: await startAs(deactivated.user.id),
      leftTeam: await startAs(leftTeam.user.id),
    };
    // Changed after the runs were recorded and before any worker picked them up.
    await deactivateUser(db, deactivated.user.email);
    await teams.removeMember(leftTeam.team.id, leftTeam.user.id);

    const worker = startTestWorker(ctx);
    try {
      const done = await finishedRun(runs.unchanged.id);
      expect(done).toMatchObject({
        status: 'done',
        kind: 'scheduled_export',
        principal_key: `user:${unchanged.user.id}`,
      });
      expect(answerFor(done)).toEqual({ status: 200 });
      const file = await service.open(done);
      const chunks: Buffer[] = [];
      for await (const chunk of file) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString('utf8')).toBe('ada@example.org');

      for (const id of [runs.deactivated.id, runs.leftTeam.id]) {
        const failed = await finishedRun(id);
        expect(answerFor(failed)).toEqual({
          status: 410,
          body: { status: 'failed', message: NOT_PERMITTED_MESSAGE },
        });
      }
    } finally {
      await worker.stop();
    }
  });

  test('an organizer-level run as a user reads only the events their teams reach', async () => {
    const db = ctx.runtime.db;
    const organizer = await makeOrganizer(db);
    const reached = await makeEvent(db, organizer.id);
    await makeEvent(db, organizer.id);
    const user = await makeUser(db);
    await makeTeamWithToken(db, organizer.id, {
      permissions: ['can_view_orders'],
      events: [reached.slug],
      members: [user.email],
    });
    const scope = {
      level: 'organizer' as const,
      access: await access.organizerAccessById(userPrincipal(user.id), organizer.id),
    };
    const prepared = await service.prepare(scope, 'orderlist', { _format: 'xlsx', all_events: true });
    expect(prepared).toMatchObject({
      level: 'organizer',
      organizerId: organizer.id,
      eventId: null,
      eventIds: [reached.id],
    });
  });

  test('a deactivated user reaches no organizer at all', async () => {
    const db = ctx.runtime.db;
    const organizer = await makeOrganizer(db);
    const user = await makeUser(db);
    await makeTeamWithToken(db, organizer.id, { permissions: 'all', members: [user.email] });
    await expect(access.organizerAccessById(userPrincipal(user.id), organizer.id)).resolves.toBeDefined();
    await deactivateUser(db, user.email);
    await expect(access.organizerAccessById(userPrincipal(user.id), organizer.id)).rejects.toMatchObject({
      status: 403,
    });
  });
});

describe('the run engine with producers and completion hooks of other kinds', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis(ctx.config.REDIS_URL, 'worker');
  });
  afterAll(() => redis.disconnect());

  test('a producer without a file finishes the run without one; a producer with a file is committed with its digest; hooks see both and are retried until they succeed', async () => {
    const db = ctx.runtime.db;
    const organizer = await makeOrganizer(db);
    const event = await makeEvent(db, organizer.id);
    const { tokenId } = await makeTeamWithToken(db, organizer.id, { permissions: ['can_change_orders'] });
    const exporterRuns = exporterProducerOf({ db, siteUrl: ctx.config.SITE_URL });
    const producerOf: ProducerLookup = (run) => {
      if (run.kind === 'shred') return { permission: 'can_change_orders', produce: async () => null };
      if (run.kind === 'shred_export')
        return {
          permission: 'can_change_orders',
          async produce(_run, io) {
            await io.progress(0.5);
            io.out.write('zip bytes');
            return { fileName: 'event.zip', contentType: 'application/zip' };
          },
        };
      return exporterRuns(run);
    };
    const calls: { id: string; kind: string; outcome: string }[] = [];
    let failuresLeft = 1;
    const flakyHook: RunFinishedHook = async (run, outcome) => {
      if (run.kind !== 'shred') return;
      if (failuresLeft-- > 0) throw new Error('mail server down');
      calls.push({ id: run.id, kind: run.kind, outcome });
    };
    const recordingHook: RunFinishedHook = async (run, outcome) => {
      calls.push({ id: run.id, kind: run.kind, outcome });
    };
    const running = startExportsWorker({
      config: ctx.config,
      db,
      logger: ctx.runtime.logger,
      connection: redis,
      storage: createStorage(ctx.config),
      access,
      producerOf,
      onFinished: [recordingHook, flakyHook],
    });
    try {
      const base = {
        level: 'event' as const,
        organizerId: organizer.id,
        eventId: event.id,
        eventIds: [event.id],
      };
      const [zip, shred] = await db.transaction(async (trx) => [
        await service.record(trx, {
          ...base,
          kind: 'shred_export',
          identifier: 'shred',
          input: {},
          principalKey: `token:${tokenId}`,
        }),
        await service.record(trx, {
          ...base,
          kind: 'shred',
          identifier: 'shred',
          input: {},
          principalKey: `token:${tokenId}`,
        }),
      ]);
      const zipRow = await finishedRun(zip.id);
      expect(zipRow).toMatchObject({
        status: 'done',
        file_name: 'event.zip',
        content_type: 'application/zip',
        file_size: 9,
        file_sha256: createHash('sha256').update('zip bytes').digest('hex'),
      });
      const shredRow = await finishedRun(shred.id);
      expect(shredRow).toMatchObject({ status: 'done', file_key: null, file_size: null });
      const notified = await waitFor('both runs to be notified', async () => {
        const rows: ExportRow[] = await db('exports')
          .whereIn('id', [zip.id, shred.id])
          .whereNotNull('notified_at');
        return rows.length === 2 ? rows : undefined;
      });
      expect(notified).toHaveLength(2);
      // The ZIP run was notified once. The shred run's hooks ran twice, since the flaky one threw the first time:
      // the recording hook saw it on both rounds, the flaky one only on the round that succeeded.
      expect(calls.filter((call) => call.id === zip.id)).toEqual([
        { id: zip.id, kind: 'shred_export', outcome: 'done' },
      ]);
      expect(calls.filter((call) => call.id === shred.id)).toEqual([
        { id: shred.id, kind: 'shred', outcome: 'done' },
        { id: shred.id, kind: 'shred', outcome: 'done' },
        { id: shred.id, kind: 'shred', outcome: 'done' },
      ]);
      const bytes: Buffer[] = [];
      for await (const chunk of await service.open(zipRow)) bytes.push(chunk as Buffer);
      expect(Buffer.concat(bytes).toString()).toBe('zip bytes');
    } finally {
      await running.stop();
    }
  });
});
