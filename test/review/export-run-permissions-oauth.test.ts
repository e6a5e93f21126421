import request from 'supertest';
import type { TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken, makeUser } from '../support/factories';
import { issueAccessToken } from '../support/oauth-tokens';
import { createExportsContext, startTestWorker, waitFor } from '../exports/support';

const NOT_PERMITTED = 'Export not found or you do not have sufficient permission to perform this export.';

let ctx: TestContext;
afterEach(() => ctx?.close());

const idOf = (url: string) => url.split('/').at(-2)!;

describe('the run-time permission re-check covers OAuth user principals', () => {
  test('a run fails with the permission message when the user, grant, organizer or team changed meanwhile', async () => {
    ctx = createExportsContext({ EXPORT_MAX_ACTIVE_PER_CLIENT: '10' });
    const db = ctx.runtime.db;
    const organizer = await makeOrganizer(db);
    const event = await makeEvent(db, organizer.id);
    const otherEvent = await makeEvent(db, organizer.id);

    /** A user in a team of its own with can_view_orders on all events, and a Bearer token for the organizer. */
    const connectedUser = async () => {
      const user = await makeUser(db);
      const { team } = await makeTeamWithToken(db, organizer.id, {
        permissions: ['can_view_orders'],
        members: [user.email],
      });
      const grantAuthorization = await issueAccessToken(db, user.id, [organizer.id]);
      return { user, team, authorization: grantAuthorization };
    };
    const start = async (authorization: string) => {
      const res = await request(ctx.app)
        .post(`/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters/json/run/`)
        .set('Authorization', authorization)
        .send({});
      expect(res.status).toBe(202);
      return idOf(res.body.download as string);
    };
    const grantOf = async (userId: number) =>
      (await db('oauth_grants').where('user_id', userId).first('id')).id as number;

    const unchanged = await connectedUser();
    const deactivated = await connectedUser();
    const revoked = await connectedUser();
    const ungranted = await connectedUser();
    const lostFlag = await connectedUser();
    const leftTeam = await connectedUser();
    const narrowed = await connectedUser();
    const runs = {
      unchanged: await start(unchanged.authorization),
      deactivated: await start(deactivated.authorization),
      revoked: await start(revoked.authorization),
      ungranted: await start(ungranted.authorization),
      lostFlag: await start(lostFlag.authorization),
      leftTeam: await start(leftTeam.authorization),
      narrowed: await start(narrowed.authorization),
    };

    await db('users').where('id', deactivated.user.id).update({ is_active: false });
    await db('oauth_grants')
      .where('id', await grantOf(revoked.user.id))
      .update({ revoked_at: db.fn.now() });
    await db('oauth_grant_organizers')
      .where('grant_id', await grantOf(ungranted.user.id))
      .delete();
    await db('teams').where('id', lostFlag.team.id).update({ can_view_orders: false });
    await db('team_members').where({ team_id: leftTeam.team.id, user_id: leftTeam.user.id }).delete();
    await db('teams').where('id', narrowed.team.id).update({ all_events: false });
    await db('team_limit_events').insert({ team_id: narrowed.team.id, event_id: otherEvent.id });

    const worker = startTestWorker(ctx);
    try {
      const finished = await waitFor('every run to finish', async () => {
        const rows = await db('exports').whereIn('id', Object.values(runs)).select('id', 'status', 'message');
        return rows.every((row) => row.status === 'done' || row.status === 'failed') ? rows : undefined;
      });
      const outcome = Object.fromEntries(
        Object.entries(runs).map(([name, id]) => {
          const row = finished.find((candidate) => candidate.id === id)!;
          return [name, row.status === 'done' ? 'done' : row.message];
        }),
      );
      expect(outcome).toEqual({
        unchanged: 'done',
        deactivated: NOT_PERMITTED,
        revoked: NOT_PERMITTED,
        ungranted: NOT_PERMITTED,
        lostFlag: NOT_PERMITTED,
        leftTeam: NOT_PERMITTED,
        narrowed: NOT_PERMITTED,
      });
    } finally {
      await worker.stop();
    }
  });
});
