import { eraseAttendeeInfo } from '../../orders/orders.repository';
import { jsonObject, mapAsync } from '../json';
import { defineShredder } from './define';
import { countOf, eachPosition, positionKey, positionsOfEvent } from './reads';

export default defineShredder({
  identifier: 'attendee_info',
  verboseName: 'Attendee info',
  description:
    'This will remove all attendee names and postal addresses from order positions, as well as logged changes to them.',
  async countExport(db, eventId) {
    return { files: 1, records: await countOf(positionsOfEvent(db, eventId)) };
  },
  async *files({ db, event }) {
    yield {
      name: 'attendee-info.json',
      content: async () =>
        jsonObject(
          mapAsync(eachPosition(db, event.id), (position) => [
            positionKey(position),
            {
              name: position.attendee_name_cached,
              company: position.company,
              street: position.street,
              zipcode: position.zipcode,
              city: position.city,
              country: position.country || null,
              state: position.state,
            },
          ]),
        ),
    };
  },
  erase: eraseAttendeeInfo,
});
