import { deleteInvoiceAddresses, type InvoiceAddressRow } from '../../orders/orders.repository';
import { invoiceAddressResource } from '../../orders/orders.resources';
import { jsonObject, mapAsync } from '../json';
import { defineShredder, type Executor } from './define';
import { countOf, inBatches } from './reads';

function addressesOfEvent(db: Executor, eventId: number) {
  return db('invoice_addresses')
    .join('orders', 'orders.id', 'invoice_addresses.order_id')
    .where('orders.event_id', eventId)
    .select('invoice_addresses.*', 'orders.code as order_code');
}

export default defineShredder({
  identifier: 'invoice_addresses',
  verboseName: 'Invoice addresses',
  description: 'This will remove all invoice addresses from orders, as well as logged changes to them.',
  taxRelevant: true,
  async countExport(db, eventId) {
    return { files: 1, records: await countOf(addressesOfEvent(db, eventId)) };
  },
  async *files({ db, event }) {
    type Row = InvoiceAddressRow & { order_code: string };
    yield {
      name: 'invoice-addresses.json',
      content: async () =>
        jsonObject(
          mapAsync(
            inBatches<Row>(
              addressesOfEvent(db, event.id),
              'invoice_addresses.order_id',
              (row) => row.order_id,
            ),
            (row) => [row.order_code, invoiceAddressResource(row)],
          ),
        ),
    };
  },
  erase: deleteInvoiceAddresses,
});
