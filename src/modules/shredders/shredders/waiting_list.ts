import { eraseWaitingList, type WaitingListRow } from '../../waitinglist/waitinglist.repository';
import { waitingListResource } from '../../waitinglist/waitinglist.service';
import { jsonList } from '../json';
import { defineShredder, type ShredExportContext } from './define';
import { countOf } from './reads';

/** Entries in the API's order (priority, then age), as the API shows them, a page at a time. */
async function* entries({ db, event }: ShredExportContext): AsyncGenerator<unknown> {
  const size = 1000;
  for (let offset = 0; ; offset += size) {
    const rows: WaitingListRow[] = await db('waiting_list_entries')
      .where('event_id', event.id)
      .orderBy([
        { column: 'priority', order: 'desc' },
        { column: 'created', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(size)
      .offset(offset);
    yield* rows.map(waitingListResource);
    if (rows.length < size) return;
  }
}

/* tixport has no vouchers or voucher log entries (pretix also blanks voucher comments holding an address). */
export default defineShredder({
  identifier: 'waiting_list',
  verboseName: 'Waiting list',
  description: 'This will remove all names, email addresses, and phone numbers from the waiting list.',
  async countExport(db, eventId) {
    return { files: 1, records: await countOf(db('waiting_list_entries').where('event_id', eventId)) };
  },
  async *files(ctx) {
    yield { name: 'waiting-list.json', content: async () => jsonList(entries(ctx)) };
  },
  erase: eraseWaitingList,
});
