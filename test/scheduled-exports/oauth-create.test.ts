import { REDIRECT_URI, authorizeCode, authorizeUrlWith, oauthClient, useOAuthWorld } from '../oauth/support';
import { makeEvent, makeTeamWithToken } from '../support/factories';

const t = useOAuthWorld();

const BODY = {
  export_identifier: 'orderlist',
  export_form_data: { _format: 'xlsx', date_range: 'week_previous' },
  locale: 'en',
  mail_additional_recipients: 'mary@example.org',
  mail_subject: 'Order list',
  mail_template: "Here is last week's order list\n\nCheers\nJohn",
  schedule_rrule: 'DTSTART:20230118T000000\nRRULE:FREQ=WEEKLY;BYDAY=TU,WE,TH',
  schedule_rrule_time: '04:00:00',
};

async function api(authorization: string, urlPath: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${t.server.baseUrl}/api/v1${urlPath}`, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: authorization,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

describe('creating a scheduled export needs a user-bound client (pretix 17, 24)', () => {
  test('a Bearer token from a real authorization-code flow creates it, owned by the user; a team token gets 403', async () => {
    const db = t.ctx.runtime.db;
    const { user, first } = t.world;
    const event = await makeEvent(db, first.id);
    const client = oauthClient(t.server.baseUrl, t.app);
    const code = await authorizeCode(
      t.server.baseUrl,
      authorizeUrlWith(client, { redirect_uri: REDIRECT_URI, scope: 'read write' }),
      user,
      [first.id],
    );
    const token = await client.getToken({ code, redirect_uri: REDIRECT_URI });
    const bearer = `Bearer ${token.token.access_token as string}`;
    const team = await makeTeamWithToken(db, first.id, { permissions: 'all' });

    for (const path of [
      `/organizers/${first.slug}/events/${event.slug}/scheduled_exports/`,
      `/organizers/${first.slug}/scheduled_exports/`,
    ]) {
      const byToken = await api(team.authorization, path, { method: 'POST', body: BODY });
      expect(byToken).toEqual({
        status: 403,
        body: { detail: 'Creation of exports requires user-specific API access.' },
      });

      const created = await api(bearer, path, { method: 'POST', body: BODY });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        owner: user.email,
        export_identifier: 'orderlist',
        schedule_rrule_time: '04:00:00',
        error_counter: 0,
      });
      expect(new Date(created.body!.schedule_next_run as string).getTime()).toBeGreaterThan(Date.now());

      // After creation a team token may see and change it (it has the settings permission).
      const patched = await api(team.authorization, `${path}${created.body!.id as number}/`, {
        method: 'PATCH',
        body: { mail_subject: 'Weekly order list' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ owner: user.email, mail_subject: 'Weekly order list' });
    }
    const rows = await db('scheduled_exports').where('organizer_id', first.id).select('owner_id', 'level');
    expect(rows.map((row) => [Number(row.owner_id), row.level]).sort()).toEqual([
      [user.id, 'event'],
      [user.id, 'organizer'],
    ]);
  });

  test('a Bearer token with only the read scope cannot create (403), and nothing is written', async () => {
    const db = t.ctx.runtime.db;
    const { user, second } = t.world;
    const client = oauthClient(t.server.baseUrl, t.app);
    const code = await authorizeCode(
      t.server.baseUrl,
      authorizeUrlWith(client, { redirect_uri: REDIRECT_URI, scope: 'read' }),
      user,
      [second.id],
    );
    const token = await client.getToken({ code, redirect_uri: REDIRECT_URI });
    const res = await api(
      `Bearer ${token.token.access_token as string}`,
      `/organizers/${second.slug}/scheduled_exports/`,
      {
        method: 'POST',
        body: BODY,
      },
    );
    expect(res.status).toBe(403);
    expect(await db('scheduled_exports').where('organizer_id', second.id).count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
  });
});
