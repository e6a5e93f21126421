import { blank, column } from './common';
import { answerPivot } from './order-facts';
import { i18n } from './sql';
import {
  boolean,
  choice,
  defineExporter,
  ExportError,
  modelChoice,
  modelMultipleChoice,
  type Column,
  type ExportContext,
  type Table,
} from './define';

const STATUSES = [
  ['', 'All attendees'],
  ['1', 'Checked in'],
  ['2', 'Present'],
  ['3', 'Checked in but left'],
  ['0', 'Not checked in'],
] as const;

/**
 * pretix also offers `name:<part>` sorts when the event's name scheme has several parts; tixport holds no name
 * scheme, so it is pretix's default single-field scheme, without parts (and without part columns).
 */
const SORTS = [
  ['name', 'Attendee name'],
  ['code', 'Order code'],
  ['order_datetime', 'Order date'],
] as const;

/**
 * pretix's check-in list form. `date_range` only exists for event series, which tixport does not have.
 */
const input = {
  list: modelChoice({ label: 'Check-in list', table: 'checkin_lists', required: true }),
  secrets: boolean({ label: 'Include QR-code secret' }),
  attention_only: boolean({ label: 'Only tickets requiring special attention' }),
  status: choice({ label: 'Check-in status', choices: STATUSES }),
  sort: choice({ label: 'Sort by', choices: SORTS, default: 'name' }),
  questions: modelMultipleChoice({ label: 'Include questions', table: 'questions' }),
};

interface CheckinListInput {
  list: number | null;
  secrets: boolean;
  attention_only: boolean;
  status: string | null;
  sort: string | null;
  questions: number[];
}

type Ctx = ExportContext<CheckinListInput>;

interface CheckinList {
  id: number;
  name: string;
  all_products: boolean;
  include_pending: boolean;
}

async function checkinList(ctx: Ctx): Promise<CheckinList> {
  const list = await ctx
    .db('checkin_lists')
    .where('id', ctx.input.list ?? 0)
    .whereIn('event_id', ctx.eventIds)
    .first('id', 'name', 'all_products', 'include_pending');
  // The list was checked when the export was requested; it may have been deleted since.
  if (!list) throw new ExportError('The selected check-in list no longer exists.');
  return list as CheckinList;
}

/** pretix's safe_for_filename: ASCII-fold (pretix uses unidecode), then runs of other characters become "_". */
export function safeForFilename(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^a-zA-Z0-9\-_. ]+/g, '_');
}

const STATUS_FILTERS: Record<string, string> = {
  '1': 'ci.last_in IS NOT NULL',
  '2': 'ci.last_in IS NOT NULL AND (ci.last_out IS NULL OR ci.last_out < ci.last_in)',
  '3': 'ci.last_in IS NOT NULL AND ci.last_out IS NOT NULL AND ci.last_out >= ci.last_in',
  '0': 'ci.last_in IS NULL',
};

/** Attendee data falls back to the parent position of an add-on, then to the invoice address (pretix). */
const NAME = `coalesce(nullif(op.attendee_name_cached, ''), nullif(parent.attendee_name_cached, ''), ia.name_cached)`;

const SORT_ORDERS: Record<string, string> = {
  name: `coalesce(nullif(op.attendee_name_cached, ''), nullif(parent.attendee_name_cached, ''),
    nullif(ia.name_cached, ''), o.code), op.id`,
  code: 'o.code, op.positionid, op.id',
  order_datetime: 'o.datetime DESC, op.id',
};

/** The position's own address when it has one, otherwise the invoice address (pretix). */
const address = (field: string) =>
  `CASE WHEN coalesce(op.street, '') <> '' OR coalesce(op.zipcode, '') <> '' OR coalesce(op.city, '') <> ''
    THEN op.${field} ELSE ia.${field} END`;

interface Question {
  id: number;
  type: string;
  header: string;
}

/**
 * One question's answer for a position, or for the add-on's parent when the add-on has none (pretix), from the
 * answer pivots `own` (the position's) and `par` (its parent's). Choice answers list their options; booleans are
 * Yes/No; dates and times stay unlocalized, as in pretix.
 */
function answerValue(question: Question): string {
  if (question.type === 'C' || question.type === 'M') return 'ao.labels';
  if (question.type === 'B') return "CASE WHEN qa.answer = 'True' THEN 'Yes' ELSE 'No' END";
  return 'qa.answer';
}

function answerColumn(question: Question, i: number): Column {
  return column(question.header, 'text', `CASE WHEN own.h_${i} THEN own.a_${i} ELSE par.a_${i} END`);
}

async function attendees(ctx: Ctx): Promise<Table> {
  const { db, eventIds, input } = ctx;
  const list = await checkinList(ctx);
  const questions: Question[] = input.questions.length
    ? await db('questions')
        .whereIn('id', input.questions)
        .whereIn('event_id', eventIds)
        .orderBy([{ column: 'position' }, { column: 'id' }])
        .select('id', 'type', { header: db.raw(i18n('question')) })
    : [];

  const query = db('order_positions as op')
    .join('orders as o', 'o.id', 'op.order_id')
    .join('items as i', 'i.id', 'op.item_id')
    .leftJoin('item_variations as v', 'v.id', 'op.variation_id')
    .leftJoin('order_positions as parent', 'parent.id', 'op.addon_to_id')
    .leftJoin('invoice_addresses as ia', 'ia.order_id', 'o.id')
    // The default manager of pretix's Checkin counts successful scans only.
    .leftJoin(
      db.raw(
        `(SELECT ch.position_id,
          max(ch.datetime) FILTER (WHERE ch.type = 'entry') AS last_in,
          max(ch.datetime) FILTER (WHERE ch.type = 'exit') AS last_out
          FROM checkins ch WHERE ch.list_id = ? AND ch.successful
          GROUP BY ch.position_id) AS ci`,
        [list.id],
      ),
      'ci.position_id',
      'op.id',
    )
    .whereIn('o.event_id', eventIds)
    .where('op.canceled', false)
    .whereIn('o.status', list.include_pending ? ['p', 'n'] : ['p'])
    .orderByRaw(SORT_ORDERS[input.sort ?? 'name'] ?? SORT_ORDERS.name!);
  const pivot = answerPivot(
    questions.map((q) => ({ id: q.id, type: q.type, value: answerValue(q) })),
    { presence: true },
  );
  if (pivot) {
    query.leftJoin(db.raw(`${pivot} AS own`), 'own.orderposition_id', 'op.id');
    query.leftJoin(db.raw(`${pivot} AS par`), 'par.orderposition_id', 'parent.id');
  }
  if (!list.all_products)
    query.whereIn('op.item_id', db('checkin_list_items').where('list_id', list.id).select('item_id'));
  const statusFilter = STATUS_FILTERS[input.status ?? ''];
  if (statusFilter) query.whereRaw(statusFilter);
  // Special attention is held per order only (pretix also has it per product and variation).
  if (input.attention_only) query.where('o.checkin_attention', true);

  const columns: Column[] = [
    column('Order code', 'text', 'o.code'),
    column('Attendee name', 'text', NAME),
    column(
      'Product',
      'text',
      `${i18n('i.name')} || CASE WHEN v.id IS NULL THEN '' ELSE ' – ' || ${i18n('v.value')} END`,
    ),
    column('Price', 'decimal', 'op.price'),
    column('Checked in', 'datetime', 'ci.last_in'),
    column('Checked out', 'datetime', 'ci.last_out'),
    // tixport performs no automatic check-ins.
    column('Automatically checked in', 'boolean', 'false'),
    ...(list.include_pending ? [column('Paid', 'boolean', "o.status = 'p'")] : []),
    ...(input.secrets ? [column('Secret', 'text', 'op.secret')] : []),
    column(
      'Email',
      'text',
      "coalesce(nullif(op.attendee_email, ''), nullif(parent.attendee_email, ''), o.email)",
    ),
    column('Phone number', 'text', 'o.phone'),
    ...questions.map((question, i) => answerColumn(question, i)),
    column('Company', 'text', "coalesce(nullif(op.company, ''), ia.company)"),
    blank('Voucher code'),
    column('Order date', 'date', 'o.datetime'),
    column('Order time', 'text', "to_char(o.datetime, 'HH24:MI:SS')"),
    column('Requires special attention', 'boolean', 'o.checkin_attention'),
    column('Comment', 'text', 'o.comment'),
    // Check-in texts, seats and blocking are not held by tixport; the columns keep pretix's layout.
    blank('Check-in text'),
    blank('Seat ID'),
    blank('Seat name'),
    blank('Seat zone'),
    blank('Seat row'),
    blank('Seat number'),
    blank('Blocked'),
    column('Valid from', 'datetime', 'op.valid_from'),
    column('Valid until', 'datetime', 'op.valid_until'),
    column('Address', 'text', address('street')),
    column('ZIP code', 'text', address('zipcode')),
    column('City', 'text', address('city')),
    column('Country', 'text', address('country')),
    column('State', 'text', address('state')),
  ];
  return { query, columns };
}

export const checkinlist = defineExporter({
  identifier: 'checkinlist',
  verboseName: 'Check-in list',
  category: 'Check-in',
  description: 'Download a spreadsheet with all attendees that are included in a check-in list.',
  scope: 'event',
  input,
  filename: async (ctx) => `${ctx.slug}_checkin_${safeForFilename((await checkinList(ctx)).name)}`,
  output: { type: 'list', sheet: attendees },
});
