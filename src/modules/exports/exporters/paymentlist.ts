import type { Knex } from 'knex';
import type { DateFrame } from '../date-frames';
import { blank, column, wallClock } from './common';
import { providerName, whereInFrame } from './sql';
import { dateFrame, defineExporter, multipleChoice, type ExportContext, type Table } from './define';

/** pretix's OrderPayment.PAYMENT_STATES and OrderRefund.REFUND_STATES (key, label as in the Status column). */
const PAYMENT_STATES = [
  ['created', 'created'],
  ['pending', 'pending'],
  ['confirmed', 'confirmed'],
  ['canceled', 'canceled'],
  ['failed', 'failed'],
  ['refunded', 'refunded'],
] as const;
const REFUND_STATES = [
  ['external', 'started externally'],
  ['created', 'created'],
  ['transit', 'in transit'],
  ['done', 'done'],
  ['failed', 'failed'],
  ['canceled', 'canceled'],
] as const;

const input = {
  end_date_range: dateFrame({ label: 'Date range (payment date)' }),
  start_date_range: dateFrame({ label: 'Date range (start of transaction)' }),
  payment_states: multipleChoice({
    label: 'Payment states',
    choices: PAYMENT_STATES,
    default: ['confirmed', 'refunded'],
  }),
  refund_states: multipleChoice({
    label: 'Refund states',
    choices: REFUND_STATES,
    default: ['done', 'created', 'transit'],
  }),
};

interface PaymentListInput {
  end_date_range: DateFrame | null;
  start_date_range: DateFrame | null;
  payment_states: string[];
  refund_states: string[];
}

const labelOf = (states: readonly (readonly [string, string])[], column: string) =>
  `CASE ${column} ${states.map(([key, text]) => `WHEN '${key}' THEN '${text}'`).join(' ')} ELSE ${column} END`;

/** One side of the list: payments (kind P) or refunds (kind R), with the columns both sides share. */
interface Side {
  table: 'order_payments' | 'order_refunds';
  kind: 'P' | 'R';
  states: readonly (readonly [string, string])[];
  selected: string[];
  completed: 'payment_date' | 'execution_date';
  amount: string;
  comment: string;
}

function side(ctx: ExportContext<PaymentListInput>, s: Side): Knex.QueryBuilder {
  const { db, eventIds, input } = ctx;
  const query = db(`${s.table} as x`)
    .join('orders as o', 'o.id', 'x.order_id')
    .whereIn('o.event_id', eventIds)
    .whereIn('x.state', s.selected)
    .select({
      order_id: 'x.order_id',
      kind: db.raw(`'${s.kind}'`),
      local_id: 'x.local_id',
      id: 'x.id',
      created: 'x.created',
      completed: `x.${s.completed}`,
      state: 'x.state',
      state_label: db.raw(labelOf(s.states, 'x.state')),
      amount: db.raw(s.amount),
      provider: 'x.provider',
      comment: db.raw(s.comment),
    });
  whereInFrame(query, `x.${s.completed}`, input.end_date_range);
  whereInFrame(query, 'x.created', input.start_date_range);
  return query;
}

/**
 * Payments and refunds of the selected events in one list, by creation time. `end_date_range` filters on the
 * completion (payment date / execution date), which leaves out everything not completed. `start_date_range`
 * filters on creation: pretix declares it but never applies it (it reads a misspelled key); tixport applies it.
 */
function transactions(ctx: ExportContext<PaymentListInput>): Table {
  const { db, input } = ctx;
  const payments = side(ctx, {
    table: 'order_payments',
    kind: 'P',
    states: PAYMENT_STATES,
    selected: input.payment_states,
    completed: 'payment_date',
    amount: 'x.amount',
    comment: "''",
  });
  const refunds = side(ctx, {
    table: 'order_refunds',
    kind: 'R',
    states: REFUND_STATES,
    selected: input.refund_states,
    completed: 'execution_date',
    amount: '-x.amount',
    comment: 'x.comment',
  });

  const query = db
    .from(payments.unionAll(refunds, true).as('t'))
    .join('orders as o', 'o.id', 't.order_id')
    .join('events as e', 'e.id', 'o.event_id')
    .orderBy([{ column: 't.created' }, { column: 't.kind' }, { column: 't.id' }]);
  return {
    query,
    columns: [
      column('Event slug', 'text', 'e.slug'),
      column('Order', 'text', 'o.code'),
      column('Payment ID', 'text', "o.code || '-' || t.kind || '-' || t.local_id"),
      column('Creation date', 'date', wallClock('t.created', 'e.timezone')),
      column('Completion date', 'date', wallClock('t.completed', 'e.timezone')),
      column('Status', 'text', 't.state_label'),
      column('Status code', 'text', 't.state'),
      column('Amount', 'decimal', 't.amount'),
      column('Payment method', 'text', providerName('t.provider')),
      column('Comment', 'text', 't.comment'),
      // Matching IDs and payment details are rendered by pretix's payment provider plugins, which tixport
      // does not have; invoices are not held. The columns stay so files keep pretix's layout.
      blank('Matching ID'),
      blank('Payment details'),
      blank('Invoice numbers'),
    ],
  };
}

function paymentlist(scope: 'event' | 'organizer') {
  return defineExporter({
    identifier: 'paymentlist',
    verboseName: 'Payments and refunds',
    category: 'Order data',
    description: 'Download a spreadsheet of all payments or refunds of every order.',
    scope,
    input,
    filename: (ctx) => `${ctx.slug}_payments`,
    output: { type: 'list', sheet: transactions },
  });
}

export const paymentlistEvent = paymentlist('event');
export const paymentlistOrganizer = paymentlist('organizer');
