import { randomBytes } from 'node:crypto';
import { PERMISSION_FLAGS, type Permission } from '../../src/modules/access/permissions';
import { createOrganizer } from '../../src/modules/organizers/organizers.service';
import { TeamsService } from '../../src/modules/teams/teams.service';
import { createUser } from '../../src/modules/users/users.service';
import type { Db } from '../../src/platform/db';

export function uniqueSlug(prefix = 'x'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

export async function makeOrganizer(db: Db, slug = uniqueSlug('org')) {
  return createOrganizer(db, { slug, name: `Organizer ${slug}` });
}

export async function makeEvent(
  db: Db,
  organizerId: number,
  fields: { slug?: string; name?: Record<string, string>; date_from?: string } = {},
) {
  const slug = fields.slug ?? uniqueSlug('ev');
  const [row] = await db('events')
    .insert({
      organizer_id: organizerId,
      slug,
      name: JSON.stringify(fields.name ?? { en: `Event ${slug}` }),
      date_from: fields.date_from ?? '2030-06-01T10:00:00Z',
    })
    .returning('*');
  return row as { id: number; slug: string; organizer_id: number };
}

export interface TeamOptions {
  permissions?: Permission[] | 'all';
  allEvents?: boolean;
  events?: string[];
  members?: string[];
}

/** A team with one API token; returns the team and the token's secret. */
export async function makeTeamWithToken(db: Db, organizerId: number, options: TeamOptions = {}) {
  const teams = new TeamsService(db);
  const permissions = options.permissions === 'all' ? PERMISSION_FLAGS : (options.permissions ?? []);
  const team = await teams.create(
    organizerId,
    {
      name: uniqueSlug('team'),
      all_events: options.allEvents ?? options.events === undefined,
      limit_events: options.events ?? [],
      require_2fa: false,
      ...Object.fromEntries(PERMISSION_FLAGS.map((flag) => [flag, permissions.includes(flag)])),
    } as Parameters<TeamsService['create']>[1],
    options.members ?? [],
  );
  const token = await teams.createToken(team.id, 'test token');
  return { team, token: token.token, tokenId: token.id, authorization: `Token ${token.token}` };
}

export async function makeUser(db: Db, password = 'correct horse battery') {
  const email = `${uniqueSlug('user')}@example.org`;
  const user = await createUser(db, { email, password, fullname: 'Test User' });
  return { ...user, password };
}
