import { eventdata } from '../../../src/modules/exports/exporters/eventdata';
import { makeEvent, makeOrganizer } from '../../support/factories';
import { useExportHarness } from './support';

const database = useExportHarness();
let organizer: { id: number; slug: string };
let summit: { id: number; slug: string };
let meetup: { id: number; slug: string };

beforeAll(async () => {
  const { db } = database;
  organizer = await makeOrganizer(db);
  summit = await makeEvent(db, organizer.id, { name: { de: 'Gipfel', en: 'Summit' } });
  await db('events').where('id', summit.id).update({
    timezone: 'Europe/Berlin',
    currency: 'EUR',
    live: true,
    date_from: '2030-06-01T08:00:00Z',
    date_to: '2030-06-02T16:00:00Z',
  });
  meetup = await makeEvent(db, organizer.id, { name: { de: 'Treffen' } });
  await db('events').where('id', meetup.id).update({
    timezone: 'America/New_York',
    currency: 'USD',
    date_from: '2030-03-01T23:00:00Z',
  });
});

describe('eventdata (organizer level)', () => {
  test('describes pretix inputs: all_events, events, _format', () => {
    expect(eventdata.describe()).toMatchObject({
      identifier: 'eventdata',
      verbose_name: 'Event data',
      input_parameters: [
        { name: 'all_events', required: false },
        { name: 'events', required: false },
        { name: '_format', required: true, choices: ['xlsx', 'default', 'csv-excel', 'semicolon'] },
      ],
    });
  });

  test('one row per selected event, by start, times in each event time zone', async () => {
    const result = await database.run(eventdata, { eventIds: [summit.id, meetup.id] });
    expect(result.filename).toBe(`${organizer.slug}_events`);
    expect(result.headers).toEqual([
      'Event name',
      'Short form',
      'Shop is live',
      'Event currency',
      'Timezone',
      'Event start time',
      'Event end time',
      'Admission time',
      'Start of presale',
      'End of presale',
      'Location',
      'Latitude',
      'Longitude',
      'Internal comment',
    ]);
    expect(result.rows).toEqual([
      // A name without English falls back to the language there is.
      [
        'Treffen',
        meetup.slug,
        'No',
        'USD',
        'America/New_York',
        '2030-03-01 18:00:00',
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
      ],
      [
        'Summit',
        summit.slug,
        'Yes',
        'EUR',
        'Europe/Berlin',
        '2030-06-01 10:00:00',
        '2030-06-02 18:00:00',
        null,
        null,
        null,
        null,
        null,
        null,
        null,
      ],
    ]);
  });

  test('only the selected events (pretix test_org_run_limit_events: header + 1 line)', async () => {
    const result = await database.run(eventdata, { eventIds: [summit.id] });
    expect(result.rows.map((r) => r[1])).toEqual([summit.slug]);
  });
});
