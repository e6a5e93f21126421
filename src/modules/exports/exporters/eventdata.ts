import { blank, column, wallClock } from './common';
import { i18n } from './sql';
import { defineExporter, type ExportContext, type Table } from './define';

/**
 * pretix's EventDataExporter: one row per selected event, by start (pretix's Event ordering). Times are in each event's own time zone. pretix
 * writes them as localized strings ("12/27/2017 11 a.m."); tixport writes typed date-time cells.
 */
function events(ctx: ExportContext): Table {
  const local = (value: string) => wallClock(value, 'e.timezone');
  return {
    query: ctx
      .db('events as e')
      .whereIn('e.id', ctx.eventIds)
      .orderBy([{ column: 'e.date_from' }, { column: 'e.slug' }, { column: 'e.id' }]),
    columns: [
      column('Event name', 'text', i18n('e.name')),
      column('Short form', 'text', 'e.slug'),
      column('Shop is live', 'boolean', 'e.live'),
      column('Event currency', 'text', 'e.currency'),
      column('Timezone', 'text', 'e.timezone'),
      column('Event start time', 'datetime', local('e.date_from')),
      column('Event end time', 'datetime', local('e.date_to')),
      // Admission, presale, location, geo coordinates, comment and organizer meta properties are not held
      // by tixport's events; the columns stay so files keep pretix's layout.
      blank('Admission time', 'datetime'),
      blank('Start of presale', 'datetime'),
      blank('End of presale', 'datetime'),
      blank('Location'),
      blank('Latitude'),
      blank('Longitude'),
      blank('Internal comment'),
    ],
  };
}

export const eventdata = defineExporter({
  identifier: 'eventdata',
  verboseName: 'Event data',
  category: 'Event data',
  description: 'Download a spreadsheet with information on all events in this organizer account.',
  scope: 'organizer',
  input: {},
  filename: (ctx) => `${ctx.slug}_events`,
  output: { type: 'list', sheet: events },
});
