import { erasePhoneNumbers, type OrderRow } from '../../orders/orders.repository';
import { jsonObject, mapAsync } from '../json';
import { defineShredder } from './define';
import { countOf, eachOrder, ordersOfEventQuery } from './reads';

export default defineShredder({
  identifier: 'phone_numbers',
  verboseName: 'Phone numbers',
  description: 'This will remove all phone numbers from orders.',
  async countExport(db, eventId) {
    return { files: 1, records: await countOf(ordersOfEventQuery(db, eventId).whereNotNull('phone')) };
  },
  async *files({ db, event }) {
    yield {
      name: 'phone-by-order.json',
      content: async () =>
        jsonObject(
          mapAsync(eachOrder<OrderRow>(ordersOfEventQuery(db, event.id).whereNotNull('phone')), (order) => [
            order.code,
            order.phone,
          ]),
        ),
    };
  },
  erase: erasePhoneNumbers,
});
