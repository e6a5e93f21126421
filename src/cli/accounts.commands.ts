import { PERMISSION_FLAGS, type Permission } from '../modules/access/permissions';
import { createOrganizer } from '../modules/organizers/organizers.service';
import { TeamInput } from '../modules/teams/teams.schemas';
import { createUser } from '../modules/users/users.service';
import { migrateLatest, ensureDatabase } from '../platform/db';
import { parseOrThrow } from '../shared/validation';
import { CliUsageError, listOption, requireOption, type CliCommand, type CliContext } from './command';

const dbMigrate: CliCommand = {
  name: 'db:migrate',
  summary: 'Create the database if missing and apply pending migrations',
  options: {},
  async run(context) {
    await ensureDatabase(context.config.DATABASE_URL);
    return { applied: await migrateLatest(context.db) };
  },
};

const organizerCreate: CliCommand = {
  name: 'organizer:create',
  summary: '--slug <slug> --name <name>',
  options: { slug: { type: 'string' }, name: { type: 'string' } },
  async run(context, options) {
    const organizer = await createOrganizer(context.db, {
      slug: requireOption(options, 'slug'),
      name: requireOption(options, 'name'),
    });
    return { slug: organizer.slug, name: organizer.name };
  },
};

const userCreate: CliCommand = {
  name: 'user:create',
  summary: '--email <email> --password <pw> [--fullname <name>]',
  options: { email: { type: 'string' }, password: { type: 'string' }, fullname: { type: 'string' } },
  async run(context, options) {
    const user = await createUser(context.db, {
      email: requireOption(options, 'email'),
      password: requireOption(options, 'password'),
      fullname: typeof options.fullname === 'string' ? options.fullname : '',
    });
    return { id: user.id, email: user.email };
  },
};

async function organizerIdOf(context: CliContext, slug: string): Promise<number> {
  const row: { id: number } | undefined = await context
    .db('organizers')
    .whereRaw('lower(slug) = lower(?)', [slug])
    .first('id');
  if (!row) throw new CliUsageError(`no organizer with slug "${slug}"`);
  return row.id;
}

const teamCreate: CliCommand = {
  name: 'team:create',
  summary:
    '--organizer <slug> --name <name> [--all-events | --events <slug,slug>] [--all-permissions | --permissions <flag,flag>] [--members <email,email>]',
  options: {
    organizer: { type: 'string' },
    name: { type: 'string' },
    'all-events': { type: 'boolean' },
    events: { type: 'string' },
    'all-permissions': { type: 'boolean' },
    permissions: { type: 'string' },
    members: { type: 'string' },
  },
  async run(context, options) {
    const organizerId = await organizerIdOf(context, requireOption(options, 'organizer'));
    const requested = options['all-permissions'] ? [...PERMISSION_FLAGS] : listOption(options.permissions);
    const unknown = requested.filter((flag) => !(PERMISSION_FLAGS as readonly string[]).includes(flag));
    if (unknown.length > 0) throw new CliUsageError(`unknown permissions: ${unknown.join(', ')}`);
    const input = parseOrThrow(TeamInput, {
      name: requireOption(options, 'name'),
      all_events: options['all-events'] === true,
      limit_events: listOption(options.events),
      ...Object.fromEntries((requested as Permission[]).map((flag) => [flag, true])),
    });
    return context.teams.create(organizerId, input, listOption(options.members));
  },
};

const tokenCreate: CliCommand = {
  name: 'token:create',
  summary: '--organizer <slug> --team <id> --name <name>',
  options: { organizer: { type: 'string' }, team: { type: 'string' }, name: { type: 'string' } },
  async run(context, options) {
    const organizerId = await organizerIdOf(context, requireOption(options, 'organizer'));
    const teamId = Number(requireOption(options, 'team'));
    await context.teams.get(organizerId, teamId);
    const created = await context.teams.createToken(teamId, requireOption(options, 'name'));
    return { id: created.id, name: created.name, active: created.active, token: created.token };
  },
};

export const accountCommands: CliCommand[] = [
  dbMigrate,
  organizerCreate,
  userCreate,
  teamCreate,
  tokenCreate,
];
