import type { Db } from '../../src/platform/db';
import { makeOrganizer, makeTeamWithToken, uniqueSlug, type TeamOptions } from '../support/factories';

/**
 * pretix's test fixture for the events API: organizer with a meta property `type` (default Concert), and an event
 * "Dummy" on 2017-12-27T10:00:00Z with banktransfer + ticketoutputpdf, meta type=Conference, item meta day=Monday,
 * time zone Europe/Berlin.
 */
export async function makeDummy(db: Db, team: TeamOptions = { permissions: 'all' }) {
  const organizer = await makeOrganizer(db);
  const [typeProperty] = await db('event_meta_properties')
    .insert({ organizer_id: organizer.id, name: 'type', default: 'Concert' })
    .returning('*');
  const slug = uniqueSlug('dummy');
  const [event] = await db('events')
    .insert({
      organizer_id: organizer.id,
      slug,
      name: JSON.stringify('Dummy'),
      date_from: '2017-12-27T10:00:00Z',
      is_public: true,
      plugins: ['pretix.plugins.banktransfer', 'pretix.plugins.ticketoutputpdf', 'tests.testdummyhidden'],
      timezone: 'Europe/Berlin',
    })
    .returning('*');
  await db('event_meta_values').insert({
    event_id: event.id,
    property_id: typeProperty.id,
    value: 'Conference',
  });
  await db('item_meta_properties').insert({ event_id: event.id, name: 'day', default: 'Monday' });
  const { authorization, team: teamRow } = await makeTeamWithToken(db, organizer.id, team);
  return {
    organizer,
    event: event as { id: number; slug: string },
    typeProperty,
    authorization,
    team: teamRow,
  };
}

/** pretix's expected representation of the fixture event (EV), without valid_keys. */
export function expectedDummy(organizerSlug: string, eventSlug: string) {
  return {
    name: { en: 'Dummy' },
    slug: eventSlug,
    live: false,
    testmode: false,
    currency: 'EUR',
    date_from: '2017-12-27T10:00:00Z',
    date_to: null,
    date_admission: null,
    is_public: true,
    presale_start: null,
    presale_end: null,
    location: null,
    geo_lat: null,
    geo_lon: null,
    has_subevents: false,
    meta_data: { type: 'Conference' },
    seating_plan: null,
    plugins: ['pretix.plugins.banktransfer', 'pretix.plugins.ticketoutputpdf'],
    seat_category_mapping: {},
    timezone: 'Europe/Berlin',
    item_meta_properties: { day: 'Monday' },
    all_sales_channels: true,
    limit_sales_channels: [],
    public_url: `http://tixport.test/${organizerSlug}/${eventSlug}/`,
    sales_channels: ['pretixpos', 'resellers', 'web'],
  };
}
