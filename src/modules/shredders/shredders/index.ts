import attendeeInfo from './attendee_info';
import cachedTickets from './cachedtickets';
import type { Shredder } from './define';
import invoiceAddresses from './invoice_addresses';
import invoices from './invoices';
import orderEmails from './order_emails';
import paymentInfo from './payment_info';
import phoneNumbers from './phone_numbers';
import questionAnswers from './question_answers';
import waitingList from './waiting_list';

/** The one list of data shredders; adding one is a file and a line here. Sorted by name, as pretix lists them. */
export const SHREDDERS: readonly Shredder[] = [
  attendeeInfo,
  cachedTickets,
  orderEmails,
  invoiceAddresses,
  invoices,
  paymentInfo,
  phoneNumbers,
  questionAnswers,
  waitingList,
].sort((a, b) => a.verboseName.localeCompare(b.verboseName, 'en'));

export function findShredder(identifier: string): Shredder | undefined {
  return SHREDDERS.find((shredder) => shredder.identifier === identifier);
}
