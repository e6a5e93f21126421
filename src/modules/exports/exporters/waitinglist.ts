import { blank, column, wallClock } from './common';
import { i18n } from './sql';
import { choice, defineExporter, type ExportContext, type Table } from './define';

/** pretix's WaitingListExporter.status_filters: key and label (the label is also the Status cell). */
const STATUSES = [
  ['', 'All entries'],
  ['awaiting-voucher', 'Waiting for a voucher'],
  ['voucher-assigned', 'Voucher assigned'],
  ['awaiting-redemption', 'Waiting for redemption'],
  ['voucher-redeemed', 'Voucher redeemed'],
  ['voucher-expired', 'Voucher expired'],
] as const;

type Status = (typeof STATUSES)[number][0];
const label = (key: Status) => STATUSES.find(([k]) => k === key)![1];

/**
 * The voucher a waiting-list entry received is held as its code and state (valid, redeemed, expired); a
 * missing state counts as valid. pretix's filters, expressed on those columns.
 */
const FILTERS: Record<Status, string | null> = {
  '': null,
  'awaiting-voucher': 'w.voucher_code IS NULL',
  'voucher-assigned': 'w.voucher_code IS NOT NULL',
  'awaiting-redemption': "w.voucher_code IS NOT NULL AND coalesce(w.voucher_state, 'valid') = 'valid'",
  'voucher-redeemed': "w.voucher_code IS NOT NULL AND w.voucher_state = 'redeemed'",
  'voucher-expired': "w.voucher_code IS NOT NULL AND w.voucher_state = 'expired'",
};

const STATUS_LABEL = `CASE
  WHEN w.voucher_code IS NULL THEN '${label('awaiting-voucher')}'
  WHEN w.voucher_state = 'redeemed' THEN '${label('voucher-redeemed')}'
  WHEN w.voucher_state = 'expired' THEN '${label('voucher-expired')}'
  ELSE '${label('voucher-assigned')}' END`;

const input = {
  status: choice({
    label: 'Status',
    choices: STATUSES,
    // pretix's form preselects "Waiting for a voucher"; null ("no filter") is treated like "" (all entries).
    default: 'awaiting-voucher',
  }),
};

/** Dates are in each entry's event time zone, as pretix writes them. */
function entries(ctx: ExportContext<{ status: string | null }>): Table {
  const query = ctx
    .db('waiting_list_entries as w')
    .join('events as e', 'e.id', 'w.event_id')
    .join('items as i', 'i.id', 'w.item_id')
    .leftJoin('item_variations as v', 'v.id', 'w.variation_id')
    .whereIn('w.event_id', ctx.eventIds)
    .orderBy([{ column: 'w.created' }, { column: 'w.id' }]);
  const filter = FILTERS[(ctx.input.status ?? '') as Status];
  if (filter) query.whereRaw(filter);
  return {
    query,
    columns: [
      column('Date', 'datetime', wallClock('w.created', 'e.timezone')),
      column('Name', 'text', 'w.name_cached'),
      column('Email', 'text', 'w.email'),
      column('Phone number', 'text', 'w.phone'),
      column('Product', 'text', i18n('i.name')),
      column('Product ID', 'integer', 'i.id'),
      column('Variation', 'text', i18n('v.value')),
      column('Variation ID', 'integer', 'v.id'),
      column('Event slug', 'text', 'e.slug'),
      column('Event name', 'text', i18n('e.name')),
      // The date (subevent) of the entry; tixport has no event series, so it is always empty.
      blank('Date'),
      column('Start date', 'datetime', wallClock('e.date_from', 'e.timezone')),
      column('End date', 'datetime', wallClock('e.date_to', 'e.timezone')),
      column('Language', 'text', 'w.locale'),
      column('Priority', 'integer', 'w.priority'),
      column('Status', 'text', STATUS_LABEL),
      column('Voucher code', 'text', 'w.voucher_code'),
    ],
  };
}

function waitinglist(scope: 'event' | 'organizer') {
  return defineExporter({
    identifier: 'waitinglist',
    verboseName: 'Waiting list',
    category: 'Waiting list',
    description: 'Download a spread sheet with all your waiting list data.',
    scope,
    input,
    // pretix names a multi-event export after the event when exactly one is selected.
    filename: (ctx) => `${ctx.events.length === 1 ? ctx.events[0]!.slug : ctx.slug}_waitinglist`,
    output: { type: 'list', sheet: entries },
  });
}

export const waitinglistEvent = waitinglist('event');
export const waitinglistOrganizer = waitinglist('organizer');
