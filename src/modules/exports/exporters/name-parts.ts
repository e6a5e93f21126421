/**
 * pretix's person name schemes (PERSON_NAME_SCHEMES in pretix/base/settings.py): the parts a name is asked in,
 * with their English labels. orderlist writes one column per part when an event's scheme has more than one.
 */
import type { Knex } from 'knex';

export interface NamePart {
  key: string;
  label: string;
}

const GIVEN = { key: 'given_name', label: 'Given name' };
const FAMILY = { key: 'family_name', label: 'Family name' };
const MIDDLE = { key: 'middle_name', label: 'Middle name' };
const TITLE = { key: 'title', label: 'Title' };
const SALUTATION = { key: 'salutation', label: 'Salutation' };
const DEGREE = { key: 'degree', label: 'Degree (after name)' };
const FULL = { key: 'full_name', label: 'Name' };

export const NAME_SCHEMES: Record<string, NamePart[]> = {
  given_family: [GIVEN, FAMILY],
  title_given_family: [TITLE, GIVEN, FAMILY],
  title_given_middle_family: [TITLE, GIVEN, MIDDLE, FAMILY],
  given_middle_family: [GIVEN, MIDDLE, FAMILY],
  given_family_salutation: [GIVEN, FAMILY, SALUTATION],
  salutation_given_family: [SALUTATION, GIVEN, FAMILY],
  salutation_title_given_family: [SALUTATION, TITLE, GIVEN, FAMILY],
  salutation_title_given_family_degree: [SALUTATION, TITLE, GIVEN, FAMILY, DEGREE],
  family_given: [FAMILY, GIVEN],
  family_nospace_given: [FAMILY, GIVEN],
  family_comma_given: [FAMILY, GIVEN],
  full: [FULL],
  calling_full: [FULL, { key: 'calling_name', label: 'Calling name' }],
  full_transcription: [FULL, { key: 'latin_transcription', label: 'Name in Latin script' }],
};

/** The setting's default when neither the event nor its organizer sets it (settings registry). */
const DEFAULT_SCHEME = 'full';

/**
 * The name parts of an event's scheme (the event's `name_scheme` setting, else its organizer's, else pretix's
 * default), or none when the scheme has a single part: pretix then writes no part columns.
 */
export async function namePartsOf(db: Knex, event: { id: number }): Promise<NamePart[]> {
  const row = (await db
    .select({ value: db.raw("coalesce(es.value, os.value) #>> '{}'") })
    .from('events as e')
    .leftJoin('event_settings as es', (on) => on.on('es.event_id', 'e.id').andOnVal('es.key', 'name_scheme'))
    .leftJoin('organizer_settings as os', (on) =>
      on.on('os.organizer_id', 'e.organizer_id').andOnVal('os.key', 'name_scheme'),
    )
    .where('e.id', event.id)
    .first()) as { value: string | null } | undefined;
  const parts = NAME_SCHEMES[row?.value ?? DEFAULT_SCHEME] ?? NAME_SCHEMES[DEFAULT_SCHEME]!;
  return parts.length > 1 ? parts : [];
}
