import type { Knex } from 'knex';
import type { DateFrame } from '../date-frames';
import { blank, wallClock } from './common';
import {
  boolean,
  dateFrame,
  defineExporter,
  modelMultipleChoice,
  type Column,
  type ExportContext,
  type Table,
} from './define';
import {
  answerPivot,
  joinCheckinLists,
  joinEventMeta,
  joinOrderSums,
  joinPaidFeeStatus,
  joinPayments,
  joinRefunds,
  ORDER_STATUS_LABEL,
  type PivotQuestion,
} from './order-facts';
import { namePartsOf, type NamePart } from './name-parts';
import { i18n, literal, orderLink, providerLabel, whereInFrame } from './sql';

interface OrderlistInput {
  _format: string;
  paid_only: boolean;
  include_payment_amounts: boolean;
  group_multiple_choice: boolean;
  date_range: DateFrame | null;
  event_date_range: DateFrame | null;
  items?: number[];
}

type Ctx = ExportContext<OrderlistInput>;

const FEE_TYPES: Record<string, string> = {
  payment: 'Payment fee',
  shipping: 'Shipping fee',
  service: 'Service fee',
  cancellation: 'Cancellation fee',
  insurance: 'Insurance fee',
  late: 'Late fee',
  other: 'Other fees',
  giftcard: 'Gift card',
};

/**
 * Columns pretix writes for data tixport's schema does not hold (invoices, vouchers, seats, tax rules, follow-up
 * dates, …) are kept as empty cells (`blank`), so files line up with pretix's column for column. They are blank
 * text rather than typed: pretix writes '' there, which its default CSV dialect quotes ("").
 */
const SEAT_HEADERS = ['Seat ID', 'Seat name', 'Seat zone', 'Seat row', 'Seat number'];

const text = (header: string, sql: string): Column => ({ header, sql, type: 'text' });
/** Text tixport generates or validates (slugs, codes, secrets, labels): no formula escaping needed. */
const code = (header: string, sql: string): Column => ({ header, sql, type: 'text', safe: true });
const integer = (header: string, sql: string): Column => ({ header, sql, type: 'integer' });
const decimal = (header: string, sql: string): Column => ({ header, sql, type: 'decimal' });
const date = (header: string, sql: string): Column => ({ header, sql, type: 'date' });
const datetime = (header: string, sql: string): Column => ({ header, sql, type: 'datetime' });
const yesNo = (header: string, sql: string): Column => ({ header, sql, type: 'boolean' });

/**
 * The parts of the event's name scheme, when it has several: pretix writes a column per part at event level
 * (several events may have different schemes, so none at organizer level).
 */
async function nameParts(ctx: Ctx): Promise<NamePart[]> {
  return ctx.event ? namePartsOf(ctx.db, ctx.event) : [];
}

/** One column per name part of a jsonb `name_parts` value, headed `<prefix><label>`. */
function namePartColumns(parts: NamePart[], prefix: string, nameParts: string): Column[] {
  return parts.map((part) => text(`${prefix}${part.label}`, `${nameParts}->>${literal(part.key)}`));
}

/**
 * The organizer's event meta data properties, by name, as columns of each row's event: its own value or the
 * property's default (pretix's Event.meta_data). Joins `em` onto `query`.
 */
async function eventMetaColumns(ctx: Ctx, query: Knex.QueryBuilder): Promise<Column[]> {
  const properties: { id: number; name: string; default: string }[] = await ctx
    .db('event_meta_properties')
    .where('organizer_id', ctx.organizer.id)
    .orderBy([{ column: 'name' }, { column: 'id' }])
    .select('id', 'name', 'default');
  joinEventMeta(
    query,
    ctx.db,
    ctx.eventIds,
    properties.map((p) => p.id),
  );
  return properties.map((p, i) => text(p.name, `coalesce(em.m_${i}, ${literal(p.default)})`));
}

/** The filters every sheet applies to its orders (`o`, joined with `e`). */
function filterOrders(query: Knex.QueryBuilder, ctx: Ctx): Knex.QueryBuilder {
  query.whereIn('o.event_id', ctx.eventIds);
  if (ctx.input.paid_only) query.where('o.status', 'p');
  whereInFrame(query, 'o.datetime', ctx.input.date_range);
  // Without event series, an order is "for a date in range" when its event starts in range.
  whereInFrame(query, 'e.date_from', ctx.input.event_date_range);
  const items = ctx.input.items ?? [];
  if (items.length > 0) {
    query.whereExists(
      ctx
        .db('order_positions as fp')
        .whereRaw('fp.order_id = o.id')
        .where('fp.canceled', false)
        .whereIn('fp.item_id', items)
        .select(ctx.db.raw('1')),
    );
  }
  return query;
}

/** The order columns the three sheets start with. */
function orderHead(): Column[] {
  return [code('Event slug', 'e.slug'), text('Event name', i18n('e.name')), code('Order code', 'o.code')];
}

function contact(): Column[] {
  return [text('Email', 'o.email'), text('Phone number', 'o.phone')];
}

/**
 * A timestamptz as wall-clock time of the row's event: pretix writes each order in its own event's time zone.
 * The session TimeZone already is the exporter's (the first event's), so only a selection of events in several
 * zones needs the per-row conversion; leaving the column as is otherwise keeps the CSV fast path as cheap as it was.
 */
function local(ctx: Ctx, timestamptz: string): string {
  const oneZone = ctx.events.every((event) => event.timezone === ctx.timezone);
  return oneZone ? timestamptz : wallClock(timestamptz, 'e.timezone');
}

function orderDateTime(ctx: Ctx): Column[] {
  const datetime = local(ctx, 'o.datetime');
  return [date('Order date', datetime), code('Order time', `to_char(${datetime}, 'HH24:MI:SS')`)];
}

function address(): Column[] {
  return [
    text('Address', 'ia.street'),
    text('ZIP code', 'ia.zipcode'),
    text('City', 'ia.city'),
    text('Country', 'ia.country'),
    text('State', 'ia.state'),
  ];
}

async function taxRates(ctx: Ctx): Promise<string[]> {
  const result = await ctx.db.raw(
    `SELECT DISTINCT rate::text AS rate FROM (
       SELECT p.tax_rate AS rate FROM order_positions p JOIN orders o ON o.id = p.order_id
        WHERE o.event_id = ANY(?) AND NOT p.canceled
       UNION
       SELECT f.tax_rate FROM order_fees f JOIN orders o ON o.id = f.order_id
        WHERE o.event_id = ANY(?) AND NOT f.canceled) AS r
     ORDER BY 1`,
    [ctx.eventIds, ctx.eventIds],
  );
  return (result.rows as { rate: string }[]).map((row) => row.rate).sort((a, b) => Number(a) - Number(b));
}

async function paymentProvidersSeen(ctx: Ctx): Promise<string[]> {
  const rows: { provider: string }[] = await ctx
    .db('order_payments as pp')
    .join('orders as o', 'o.id', 'pp.order_id')
    .whereIn('o.event_id', ctx.eventIds)
    .whereNot('pp.provider', 'free')
    .distinct('pp.provider');
  // By identifier in code point order, as pretix sorts them (Python's sorted()), whatever the database collation.
  return rows.map((row) => row.provider).sort();
}

/** Needs joinOrderSums with the same rates. */
function taxColumns(rates: string[]): Column[] {
  return rates.flatMap((rate, i) => {
    const gross = `(coalesce(ps.gross_${i}, 0) + coalesce(fs.gross_${i}, 0))`;
    const tax = `(coalesce(ps.tax_${i}, 0) + coalesce(fs.tax_${i}, 0))`;
    return [
      decimal(`Gross at ${rate} % tax`, gross),
      decimal(`Net at ${rate} % tax`, `${gross} - ${tax}`),
      decimal(`Tax value at ${rate} % tax`, tax),
    ];
  });
}

/** Needs joinPayments and joinRefunds with the same providers: payments received minus refunds sent. */
function paidByColumns(providers: string[]): Column[] {
  return providers.map((provider, i) =>
    decimal(
      `Paid by ${providerLabel(provider)}`,
      `coalesce(pay.paid_${i}, 0) - coalesce(rf.refunded_${i}, 0)`,
    ),
  );
}

async function ordersSheet(ctx: Ctx): Promise<Table> {
  const query = filterOrders(
    ctx
      .db('orders as o')
      .join('events as e', 'e.id', 'o.event_id')
      .leftJoin('invoice_addresses as ia', 'ia.order_id', 'o.id'),
    ctx,
  ).orderBy([{ column: 'o.datetime' }, { column: 'o.id' }]);
  const rates = await taxRates(ctx);
  const paidBy = ctx.input.include_payment_amounts ? await paymentProvidersSeen(ctx) : [];
  joinPaidFeeStatus(query, ctx.db, ctx.eventIds);
  joinPayments(query, ctx.db, ctx.eventIds, paidBy);
  joinRefunds(query, ctx.db, ctx.eventIds, paidBy);
  joinOrderSums(query, ctx.db, ctx.eventIds, rates);
  const parts = await nameParts(ctx);
  const meta = await eventMetaColumns(ctx, query);
  const columns: Column[] = [
    ...orderHead(),
    decimal('Order total', 'o.total'),
    code('Status', ORDER_STATUS_LABEL),
    ...contact(),
    ...orderDateTime(ctx),
    text('Company', 'ia.company'),
    text('Name', 'ia.name_cached'),
    ...namePartColumns(parts, '', 'ia.name_parts'),
    ...address(),
    blank('Custom address field'),
    text('VAT ID', 'ia.vat_id'),
    date('Date of last payment', local(ctx, 'pay.last_payment')),
    decimal('Fees', 'coalesce(fs.value, 0)'),
    code('Order locale', 'o.locale'),
    ...taxColumns(rates),
    blank('Invoice numbers'),
    code('Sales channel', 'o.sales_channel'),
    yesNo('Requires special attention', 'o.checkin_attention'),
    blank('Check-in text'),
    text('Comment', 'o.comment'),
    blank('Follow-up date'),
    integer('Positions', 'coalesce(ps.count, 0)'),
    blank('Email address verified'),
    text('External customer ID', 'o.customer_reference'),
    code('Payment providers', 'pay.providers'),
    code('Order link', orderLink(ctx.siteUrl, ctx.organizer.slug)),
    ...paidByColumns(paidBy),
    ...meta,
  ];
  return { query, columns };
}

interface QuestionRow {
  id: number;
  question: Record<string, string>;
  type: string;
}

/** The question columns of the positions sheet and the answer pivot (`ans`) they read. */
async function questionColumns(ctx: Ctx): Promise<{ columns: Column[]; pivot: string | null }> {
  const questions: QuestionRow[] = await ctx
    .db('questions')
    .whereIn('event_id', ctx.eventIds)
    // By position across all selected events, not event by event (pretix's Question ordering).
    .orderBy([{ column: 'position' }, { column: 'id' }])
    .select('id', 'question', 'type');
  const columns: Column[] = [];
  const pivoted: PivotQuestion[] = [];
  for (const [i, question] of questions.entries()) {
    const title = question.question.en ?? Object.values(question.question)[0] ?? '';
    if (question.type === 'M' && !ctx.input.group_multiple_choice) {
      const options: { id: number; answer: Record<string, string> }[] = await ctx
        .db('question_options')
        .where('question_id', question.id)
        .orderBy([{ column: 'position' }, { column: 'id' }])
        .select('id', 'answer');
      pivoted.push({ id: question.id, type: question.type, optionIds: options.map((o) => o.id) });
      for (const [j, option] of options.entries()) {
        const label = option.answer.en ?? Object.values(option.answer)[0] ?? '';
        columns.push(yesNo(`${title} – ${label}`, `ans.a_${i}_${j}`));
      }
    } else {
      pivoted.push({ id: question.id, type: question.type });
      columns.push(text(title, `ans.a_${i}`));
    }
  }
  return { columns, pivot: answerPivot(pivoted) };
}

async function positionsSheet(ctx: Ctx): Promise<Table> {
  const query = filterOrders(
    ctx
      .db('order_positions as op')
      .join('orders as o', 'o.id', 'op.order_id')
      .join('events as e', 'e.id', 'o.event_id')
      .join('items as i', 'i.id', 'op.item_id')
      .leftJoin('item_variations as v', 'v.id', 'op.variation_id')
      .leftJoin('order_positions as parent', 'parent.id', 'op.addon_to_id')
      .leftJoin('invoice_addresses as ia', 'ia.order_id', 'o.id'),
    ctx,
  ).orderBy([{ column: 'o.datetime' }, { column: 'o.id' }, { column: 'op.positionid' }]);
  if (ctx.input.paid_only) query.where('op.canceled', false);
  const items = ctx.input.items ?? [];
  if (items.length > 0) query.whereIn('op.item_id', items);
  joinPaidFeeStatus(query, ctx.db, ctx.eventIds);
  joinPayments(query, ctx.db, ctx.eventIds);
  joinCheckinLists(query, ctx.db, ctx.eventIds);
  const questions = await questionColumns(ctx);
  const parts = await nameParts(ctx);
  if (questions.pivot)
    query.leftJoin(ctx.db.raw(`${questions.pivot} AS ans`), 'ans.orderposition_id', 'op.id');
  const columns: Column[] = [
    ...orderHead(),
    integer('Position ID', 'op.positionid'),
    code('Status', `CASE WHEN op.canceled THEN 'canceled' ELSE ${ORDER_STATUS_LABEL} END`),
    ...contact(),
    ...orderDateTime(ctx),
    text('Product', i18n('i.name')),
    integer('Product ID', 'i.id'),
    text('Variation', `CASE WHEN v.id IS NULL THEN NULL ELSE ${i18n('v.value')} END`),
    integer('Variation ID', 'v.id'),
    decimal('Price', 'op.price'),
    decimal('Tax rate', 'op.tax_rate'),
    blank('Tax rule'),
    decimal('Tax value', 'op.tax_value'),
    text('Attendee name', 'op.attendee_name_cached'),
    ...namePartColumns(parts, 'Attendee name: ', 'op.attendee_name_parts'),
    text('Attendee email', 'op.attendee_email'),
    text('Attendee company', 'op.company'),
    text('Address', 'op.street'),
    text('ZIP code', 'op.zipcode'),
    text('City', 'op.city'),
    text('Country', 'op.country'),
    text('State', 'op.state'),
    blank('Voucher'),
    blank('Voucher budget usage'),
    blank('Voucher tag'),
    code('Pseudonymization ID', 'op.pseudonymization_id'),
    code('Ticket secret', 'op.secret'),
    ...SEAT_HEADERS.map((header) => blank(header)),
    blank('Blocked'),
    datetime('Valid from', local(ctx, 'op.valid_from')),
    datetime('Valid until', local(ctx, 'op.valid_until')),
    text('Order comment', 'o.comment'),
    blank('Follow-up date'),
    integer('Add-on to position ID', 'parent.positionid'),
    ...questions.columns,
    text('Invoice address company', 'ia.company'),
    text('Invoice address name', 'ia.name_cached'),
    ...namePartColumns(parts, 'Invoice address name: ', 'ia.name_parts'),
    text('Invoice address street', 'ia.street'),
    text('Invoice address ZIP code', 'ia.zipcode'),
    text('Invoice address city', 'ia.city'),
    text('Invoice address country', 'ia.country'),
    text('Invoice address state', 'ia.state'),
    text('VAT ID', 'ia.vat_id'),
    code('Sales channel', 'o.sales_channel'),
    code('Order locale', 'o.locale'),
    blank('Email address verified'),
    text('External customer ID', 'o.customer_reference'),
    // The lists the ticket was successfully scanned into (entries only), each once: where it was checked in.
    text('Check-in lists', 'cl.lists'),
    code('Payment providers', 'pay.providers'),
    // pretix links the position's own page through a web secret tixport does not hold.
    blank('Position order link'),
  ];
  return { query, columns };
}

async function feesSheet(ctx: Ctx): Promise<Table> {
  const query = filterOrders(
    ctx
      .db('order_fees as f')
      .join('orders as o', 'o.id', 'f.order_id')
      .join('events as e', 'e.id', 'o.event_id')
      .leftJoin('invoice_addresses as ia', 'ia.order_id', 'o.id'),
    ctx,
  ).orderBy([{ column: 'o.datetime' }, { column: 'o.id' }, { column: 'f.id' }]);
  // pretix lists cancelled fees too (status "canceled"), except in a paid-only export.
  if (ctx.input.paid_only) query.where('f.canceled', false);
  joinPaidFeeStatus(query, ctx.db, ctx.eventIds);
  joinPayments(query, ctx.db, ctx.eventIds);
  const parts = await nameParts(ctx);
  const meta = await eventMetaColumns(ctx, query);
  const feeType = `CASE f.fee_type ${Object.entries(FEE_TYPES)
    .map(([key, label]) => `WHEN '${key}' THEN '${label}'`)
    .join(' ')} ELSE f.fee_type END`;
  const columns: Column[] = [
    ...orderHead(),
    code('Status', `CASE WHEN f.canceled THEN 'canceled' ELSE ${ORDER_STATUS_LABEL} END`),
    ...contact(),
    ...orderDateTime(ctx),
    code('Fee type', feeType),
    text('Description', 'f.description'),
    decimal('Price', 'f.value'),
    decimal('Tax rate', 'f.tax_rate'),
    blank('Tax rule'),
    decimal('Tax value', 'f.tax_value'),
    text('Company', 'ia.company'),
    text('Invoice address name', 'ia.name_cached'),
    ...namePartColumns(parts, 'Invoice address name: ', 'ia.name_parts'),
    ...address(),
    text('VAT ID', 'ia.vat_id'),
    text('External customer ID', 'o.customer_reference'),
    code('Payment providers', 'pay.providers'),
    ...meta,
  ];
  return { query, columns };
}

const commonInput = {
  paid_only: boolean({ label: 'Only paid orders', default: true }),
  include_payment_amounts: boolean({ label: 'Include payment amounts', default: false }),
  group_multiple_choice: boolean({
    label: 'Show multiple choice answers grouped in one column',
    default: false,
  }),
  date_range: dateFrame({ label: 'Date range' }),
  event_date_range: dateFrame({ label: 'Event date' }),
};

const definition = {
  identifier: 'orderlist',
  verboseName: 'Order data',
  category: 'Order data',
  description:
    'Download a spreadsheet of all orders. The spreadsheet will include three sheets, one with a line for every order, one with a line for every order position, and one with a line for every additional fee charged in an order.',
  filename: (ctx: { slug: string }) => `${ctx.slug}_orders`,
  output: {
    type: 'sheets' as const,
    sheets: [
      { name: 'orders', label: 'Orders', build: ordersSheet },
      { name: 'positions', label: 'Order positions', build: positionsSheet },
      { name: 'fees', label: 'Order fees', build: feesSheet },
    ],
  },
};

/** pretix's OrderListExporter at event level: with `items` (orders containing one of these products). */
export const orderlistEvent = defineExporter({
  ...definition,
  scope: 'event',
  input: { ...commonInput, items: modelMultipleChoice({ label: 'Products', table: 'items' }) },
});

/** At organizer level pretix offers no `items` (products belong to one event). */
export const orderlistOrganizer = defineExporter({ ...definition, scope: 'organizer', input: commonInput });
