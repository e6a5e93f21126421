import { once } from 'node:events';
import { defineExporter, multipleChoice, type ExportContext } from './define';

/** pretix's Order.STATUS_CHOICE. */
export const ORDER_STATUS_CHOICES = [
  ['n', 'pending'],
  ['p', 'paid'],
  ['e', 'expired'],
  ['c', 'canceled'],
] as const;

const input = {
  status: multipleChoice({
    label: 'Filter by status',
    choices: ORDER_STATUS_CHOICES,
    // Required, as in pretix: a run must say which states it wants, so no default is shown or applied.
    required: true,
  }),
};

/**
 * pretix's MailExporter: every distinct buyer and attendee address of orders in the chosen states, one per
 * line, CRLF-separated, no trailing newline. Cancelled positions do not count (pretix's default manager hides
 * them). pretix leaves the order of its set arbitrary; tixport sorts, so repeated exports are identical.
 */
async function writeAddresses(
  ctx: ExportContext<{ status: string[] }>,
  out: NodeJS.WritableStream,
): Promise<void> {
  const { db, eventIds, input } = ctx;
  const buyers = db('orders')
    .select({ email: 'email' })
    .whereIn('event_id', eventIds)
    .whereIn('status', input.status)
    .whereNotNull('email')
    .where('email', '<>', '');
  const attendees = db('order_positions as op')
    .join('orders as o', 'o.id', 'op.order_id')
    .select({ email: 'op.attendee_email' })
    .whereIn('o.event_id', eventIds)
    .whereIn('o.status', input.status)
    .where('op.canceled', false)
    .whereNotNull('op.attendee_email')
    .where('op.attendee_email', '<>', '');
  const addresses = db.select('email').from(buyers.union(attendees).as('a')).orderBy('email');
  let first = true;
  for await (const row of addresses.stream() as AsyncIterable<{ email: string }>) {
    const line = first ? row.email : `\r\n${row.email}`;
    first = false;
    if (!out.write(line, 'utf8')) await once(out, 'drain');
  }
}

function mailaddrs(scope: 'event' | 'organizer') {
  return defineExporter({
    identifier: 'mailaddrs',
    verboseName: 'Email addresses (text file)',
    category: 'Order data',
    description:
      'Download a text file with all email addresses collected either from buyers or from ticket holders.',
    scope,
    input,
    filename: (ctx) => `${ctx.slug}_pretixemails`,
    output: { type: 'file', extension: 'txt', contentType: 'text/plain', write: writeAddresses },
  });
}

export const mailaddrsEvent = mailaddrs('event');
export const mailaddrsOrganizer = mailaddrs('organizer');
