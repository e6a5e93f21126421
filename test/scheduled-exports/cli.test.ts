import { createTestContext, type TestContext } from '../support/app';
import { runCli } from '../support/cli';
import { makeEvent, makeOrganizer, makeUser } from '../support/factories';
import { insertSchedule } from './support';

let ctx: TestContext;
beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

describe('npm run cli -- scheduled-exports:list', () => {
  test('--due lists what goes out at the next tick, --stopped what failed five times in a row', async () => {
    const db = ctx.runtime.db;
    const organizer = await makeOrganizer(db);
    const event = await makeEvent(db, organizer.id);
    const owner = await makeUser(db);
    const due = await insertSchedule(ctx, {
      organizerId: organizer.id,
      eventId: event.id,
      ownerId: owner.id,
      mail_subject: 'Due one',
      nextRunAt: new Date(Date.now() - 60_000),
    });
    const stopped = await insertSchedule(ctx, {
      organizerId: organizer.id,
      ownerId: owner.id,
      mail_subject: 'Stopped one',
      nextRunAt: new Date(Date.now() - 60_000),
      errorCounter: 5,
    });
    const later = await insertSchedule(ctx, {
      organizerId: organizer.id,
      ownerId: owner.id,
      mail_subject: 'Later',
    });

    const dueList = await runCli(['scheduled-exports:list', '--due']);
    expect(dueList.code).toBe(0);
    const dueIds = (dueList.json as { due: { id: number }[] }).due.map((row) => row.id);
    expect(dueIds).toContain(Number(due.id));
    expect(dueIds).not.toContain(Number(stopped.id));
    expect(dueIds).not.toContain(Number(later.id));
    expect(
      (dueList.json as { due: unknown[] }).due.find((row) => (row as { id: number }).id === Number(due.id)),
    ).toEqual({
      id: Number(due.id),
      level: 'event',
      organizer_id: organizer.id,
      event_id: event.id,
      owner_id: owner.id,
      export_identifier: 'orderlist',
      mail_subject: 'Due one',
      schedule_next_run: expect.stringMatching(/Z$/),
      error_counter: 0,
      error_last_message: null,
    });

    const stoppedList = await runCli(['scheduled-exports:list', '--stopped']);
    const stoppedIds = (stoppedList.json as { stopped: { id: number }[] }).stopped.map((row) => row.id);
    expect(stoppedIds).toContain(Number(stopped.id));
    expect(stoppedIds).not.toContain(Number(due.id));

    const neither = await runCli(['scheduled-exports:list']);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('give exactly one of --due, --stopped');
  });
});
