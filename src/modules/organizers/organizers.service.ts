import type { Db } from '../../platform/db';
import { isUniqueViolation } from '../../platform/db';
import { ValidationError } from '../../shared/errors';
import type { OrganizerRow } from '../access/access.service';

const SLUG = /^[a-zA-Z0-9][a-zA-Z0-9.-]*$/;

/** Organizers are created by operators (CLI), not through the API, as in pretix. */
export async function createOrganizer(db: Db, input: { slug: string; name: string }): Promise<OrganizerRow> {
  if (!SLUG.test(input.slug) || input.slug.length > 50) {
    throw ValidationError.field('slug', 'The slug may only contain letters, numbers, dots and dashes.');
  }
  if (!input.name.trim()) throw ValidationError.field('name', 'This field may not be blank.');
  try {
    const [row] = await db('organizers').insert({ slug: input.slug, name: input.name }).returning('*');
    return row as OrganizerRow;
  } catch (error) {
    if (isUniqueViolation(error))
      throw ValidationError.field('slug', 'This slug has already been used for a different organizer.');
    throw error;
  }
}

export async function findOrganizer(db: Db, id: number): Promise<OrganizerRow | undefined> {
  return db<OrganizerRow>('organizers').where('id', id).first();
}
