import { eraseEmails, type OrderRow } from '../../orders/orders.repository';
import { jsonObject, mapAsync } from '../json';
import { defineShredder } from './define';
import { countOf, eachOrder, eachPosition, ordersOfEventQuery, positionKey, positionsOfEvent } from './reads';

/*
 * tixport keeps no customer accounts, contact-form data, outgoing-mail records or email log entries for orders
 * (pretix's shredder also clears those); order and attendee emails are all there is.
 */
export default defineShredder({
  identifier: 'order_emails',
  verboseName: 'Emails',
  description:
    'This will remove all email addresses from orders and attendees, as well as logged email contents. This will also remove the association to customer accounts.',
  async countExport(db, eventId) {
    const orders = await countOf(ordersOfEventQuery(db, eventId).whereNotNull('email'));
    const attendees = await countOf(positionsOfEvent(db, eventId).whereNotNull('attendee_email'));
    return { files: 2, records: orders + attendees };
  },
  async *files({ db, event }) {
    yield {
      name: 'emails-by-order.json',
      content: async () =>
        jsonObject(
          mapAsync(eachOrder<OrderRow>(ordersOfEventQuery(db, event.id).whereNotNull('email')), (order) => [
            order.code,
            order.email,
          ]),
        ),
    };
    yield {
      name: 'emails-by-attendee.json',
      content: async () =>
        jsonObject(
          mapAsync(
            eachPosition(db, event.id, (q) => q.whereNotNull('attendee_email')),
            (position) => [positionKey(position), position.attendee_email],
          ),
        ),
    };
  },
  erase: eraseEmails,
});
