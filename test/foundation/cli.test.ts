import { execFile } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { createTestContext, type TestContext } from '../support/app';
import { runCli } from '../support/cli';
import { makeEvent, uniqueSlug } from '../support/factories';

const ROOT = path.resolve(__dirname, '../..');
let ctx: TestContext;

beforeAll(() => {
  ctx = createTestContext();
});
afterAll(() => ctx.close());

describe('npm run cli', () => {
  test('organizer, user, team and token created from the shell give a working API token', async () => {
    const slug = uniqueSlug('cli');
    const organizer = await runCli(['organizer:create', '--slug', slug, '--name', 'CLI Org']);
    expect(organizer).toMatchObject({ code: 0, json: { slug, name: 'CLI Org' } });
    expect(organizer.stdout.trim().split('\n')).toHaveLength(1);

    const email = `${slug}@example.org`;
    const user = await runCli([
      'user:create',
      '--email',
      email,
      '--password',
      'a long password',
      '--fullname',
      'Ada',
    ]);
    expect(user).toMatchObject({ code: 0, json: { id: expect.any(Number), email } });
    const stored = await ctx.runtime.db('users').where({ email }).first();
    expect(stored.password_hash).toMatch(/^scrypt\$/);

    const { id: organizerId } = await ctx.runtime.db('organizers').where({ slug }).first();
    const event = await makeEvent(ctx.runtime.db, organizerId);
    const team = await runCli([
      'team:create',
      '--organizer',
      slug,
      '--name',
      'Ops',
      '--events',
      event.slug,
      '--permissions',
      'can_change_teams,can_view_orders',
      '--members',
      email,
    ]);
    expect(team.code).toBe(0);
    expect(team.json).toMatchObject({
      id: expect.any(Number),
      name: 'Ops',
      all_events: false,
      limit_events: [event.slug],
      can_change_teams: true,
      can_view_orders: true,
      can_change_orders: false,
    });
    const teamId = (team.json as { id: number }).id;
    expect(await ctx.runtime.db('team_members').where({ team_id: teamId })).toHaveLength(1);

    const token = await runCli([
      'token:create',
      '--organizer',
      slug,
      '--team',
      String(teamId),
      '--name',
      'script',
    ]);
    expect(token.json).toEqual({
      id: expect.any(Number),
      name: 'script',
      active: true,
      token: expect.stringMatching(/^[a-z0-9]{64}$/),
    });

    const res = await request(ctx.app)
      .get(`/api/v1/organizers/${slug}/teams/${teamId}/`)
      .set('Authorization', `Token ${(token.json as { token: string }).token}`);
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Ops');
  });

  test('team:create --all-events --all-permissions grants everything', async () => {
    const slug = uniqueSlug('cli');
    await runCli(['organizer:create', '--slug', slug, '--name', 'All']);
    const team = await runCli([
      'team:create',
      '--organizer',
      slug,
      '--name',
      'Admins',
      '--all-events',
      '--all-permissions',
    ]);
    expect(team.json).toMatchObject({
      all_events: true,
      limit_events: [],
      can_create_events: true,
      can_change_vouchers: true,
    });
  });

  test('bad input exits non-zero with the reason on stderr and nothing on stdout', async () => {
    const missing = await runCli(['organizer:create', '--slug', uniqueSlug('cli')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('--name is required');

    const duplicate = uniqueSlug('cli');
    await runCli(['organizer:create', '--slug', duplicate, '--name', 'One']);
    const again = await runCli(['organizer:create', '--slug', duplicate, '--name', 'Two']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('This slug has already been used');

    const unknown = await runCli(['no:such-command']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });

  test('a bad configuration value stops with a message naming the key', async () => {
    const res = await runCli(['organizer:create', '--slug', 'x', '--name', 'y'], { PORT: 'eighty' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('PORT');
  });

  test('an unreachable database is named, password masked, and the command writes nothing', async () => {
    const res = await runCli(['organizer:create', '--slug', uniqueSlug('cli'), '--name', 'y'], {
      DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/tixport',
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('DATABASE_URL=postgres://postgres:***@127.0.0.1:1/tixport');
    expect(res.stderr).not.toContain('hunter2');
  });
});

describe('--help, as the README types it (npm run -s cli -- …)', () => {
  // No Postgres at this URL: help must not need one.
  const env = { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' };
  const npmCli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('npm', ['run', '-s', 'cli', '--', ...args], { cwd: ROOT, env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  test.each([['--help'], ['-h'], ['help']])('cli -- %s lists every command and exits 0', async (flag) => {
    const res = await npmCli([flag]);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    for (const name of ['db:migrate', 'organizer:create', 'team:create', 'token:create', 'demo:seed', 'demo'])
      expect(res.stdout).toContain(`  ${name} `);
  });

  test.each(['team:create', 'demo:seed', 'db:migrate', 'demo'])(
    'cli -- %s --help shows its options, exits 0 and touches no database',
    async (command) => {
      const res = await npmCli([command, '--help']);
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout).toContain(`usage: npm run -s cli -- ${command}`);
      if (command === 'team:create') expect(res.stdout).toContain('--all-permissions');
    },
  );
});
