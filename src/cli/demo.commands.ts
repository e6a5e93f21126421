import { PERMISSION_FLAGS } from '../modules/access/permissions';
import { seedDemo } from '../modules/demo/demo.service';
import { createOrganizer } from '../modules/organizers/organizers.service';
import { TeamInput } from '../modules/teams/teams.schemas';
import { createUser } from '../modules/users/users.service';
import { ensureDatabase, migrateLatest } from '../platform/db';
import { parseOrThrow } from '../shared/validation';
import { CliUsageError, requireOption, type CliCommand } from './command';
import { progressReporter } from './progress';

function integerOption(value: string | boolean | undefined, name: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw new CliUsageError(`--${name} must be a non-negative integer`);
  return Number(value);
}

const demoSeed: CliCommand = {
  name: 'demo:seed',
  summary: '--organizer <slug> --event <slug> --orders <n> [--seed <int>]',
  options: {
    organizer: { type: 'string' },
    event: { type: 'string' },
    orders: { type: 'string' },
    seed: { type: 'string' },
  },
  async run(context, options) {
    return seedDemo(
      context.db,
      context.config.DATABASE_URL,
      {
        organizer: requireOption(options, 'organizer'),
        event: requireOption(options, 'event'),
        orders: integerOption(options.orders, 'orders'),
        seed: integerOption(options.seed, 'seed', 1),
      },
      progressReporter(),
    );
  },
};

const DEMO_USER = { email: 'demo@example.org', password: 'demo-password', fullname: 'Demo Admin' };

/**
 * One command for a newcomer: database, organizer `demo`, a user, an all-permission team with a fresh token and
 * event `democon` with 1,000 orders (seeded once; later runs only add a token).
 */
const demo: CliCommand = {
  name: 'demo',
  summary: 'create organizer "demo", a user, a team token and event "democon" with 1,000 orders',
  options: {},
  async run(context) {
    await ensureDatabase(context.config.DATABASE_URL);
    await migrateLatest(context.db);
    const { db, teams } = context;
    const organizer =
      (await db('organizers').where('slug', 'demo').first('id', 'slug')) ??
      (await createOrganizer(db, { slug: 'demo', name: 'Demo Organizer' }));
    if (!(await db('users').whereRaw('lower(email) = ?', [DEMO_USER.email]).first('id')))
      await createUser(db, DEMO_USER);
    const existingTeam = await teams.findByName(organizer.id, 'Demo admins');
    const teamId =
      existingTeam?.id ??
      (
        await teams.create(
          organizer.id,
          parseOrThrow(TeamInput, {
            name: 'Demo admins',
            all_events: true,
            ...Object.fromEntries(PERMISSION_FLAGS.map((flag) => [flag, true])),
          }),
          [DEMO_USER.email],
        )
      ).id;
    const token = (await teams.createToken(teamId, `demo ${new Date().toISOString()}`)).token;
    const event = await db('events').where({ organizer_id: organizer.id, slug: 'democon' }).first('id');
    const seeded = event && (await db('orders').where('event_id', event.id).first('id'));
    const summary = seeded
      ? null
      : await seedDemo(
          db,
          context.config.DATABASE_URL,
          { organizer: 'demo', event: 'democon', orders: 1000, seed: 1 },
          progressReporter(),
        );
    const api = `${context.config.SITE_URL}/api/v1/organizers/demo/events/democon`;
    const curl = [
      `curl -H "Authorization: Token ${token}" "${api}/orders/?status=p"`,
      `curl -H "Authorization: Token ${token}" "${api}/quotas/"`,
      `curl -H "Authorization: Token ${token}" "${api}/checkinlists/"`,
    ];
    process.stderr.write(
      `\nDemo ready. Start the API with \`npm start\`, then try:\n\n  ${curl.join('\n  ')}\n\n` +
        `Demo user: ${DEMO_USER.email} / ${DEMO_USER.password}\n\n`,
    );
    return { organizer: 'demo', event: 'democon', user: DEMO_USER.email, token, curl, seeded: summary };
  },
};

export const demoCommands: CliCommand[] = [demoSeed, demo];
