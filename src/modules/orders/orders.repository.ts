import type { Knex } from 'knex';
import { isUniqueViolation, type Db } from '../../platform/db';

type Executor = Db | Knex.Transaction;

export interface OrderRow {
  id: number;
  event_id: number;
  code: string;
  status: 'n' | 'p' | 'e' | 'c';
  testmode: boolean;
  secret: string;
  email: string | null;
  phone: string | null;
  locale: string;
  datetime: Date;
  expires: Date;
  total: string;
  comment: string;
  sales_channel: string;
  checkin_attention: boolean;
  customer_reference: string | null;
  payment_provider: string | null;
  last_modified: Date;
}

export interface PositionRow {
  id: number;
  order_id: number;
  positionid: number;
  item_id: number;
  variation_id: number | null;
  price: string;
  tax_rate: string;
  tax_value: string;
  attendee_name_cached: string | null;
  attendee_name_parts: Record<string, string>;
  attendee_email: string | null;
  company: string | null;
  street: string | null;
  zipcode: string | null;
  city: string | null;
  country: string | null;
  state: string | null;
  secret: string;
  pseudonymization_id: string;
  addon_to_id: number | null;
  canceled: boolean;
  valid_from: Date | null;
  valid_until: Date | null;
}

export interface FeeRow {
  id: number;
  order_id: number;
  fee_type: string;
  description: string;
  value: string;
  tax_rate: string;
  tax_value: string;
  canceled: boolean;
}

export interface AnswerRow {
  id: number;
  orderposition_id: number;
  question_id: number;
  answer: string;
  file_key: string | null;
  question_identifier: string;
}

export interface AnswerOptionRow {
  answer_id: number;
  option_id: number;
  identifier: string;
}

export interface CheckinRow {
  id: number;
  position_id: number;
  list_id: number;
  datetime: Date;
  type: 'entry' | 'exit';
  successful: boolean;
  error_reason: string | null;
  gate_name: string | null;
  device_name: string | null;
}

export interface InvoiceAddressRow {
  order_id: number;
  is_business: boolean;
  company: string;
  name_cached: string;
  name_parts: Record<string, string>;
  street: string;
  zipcode: string;
  city: string;
  country: string;
  state: string;
  vat_id: string;
  vat_id_validated: boolean;
  internal_reference: string;
  last_modified: Date;
}

export interface PaymentRow {
  id: number;
  order_id: number;
  local_id: number;
  provider: string;
  state: string;
  amount: string;
  created: Date;
  payment_date: Date | null;
  info: Record<string, unknown>;
}

export interface RefundRow {
  id: number;
  order_id: number;
  local_id: number;
  payment_id: number | null;
  provider: string;
  state: string;
  source: string;
  amount: string;
  created: Date;
  execution_date: Date | null;
  comment: string;
  info: Record<string, unknown>;
}

export function ordersOfEvent(db: Executor, eventId: number): Knex.QueryBuilder {
  return db('orders').where('orders.event_id', eventId).select('orders.*');
}

export async function findOrderByCode(
  db: Executor,
  eventId: number,
  code: string,
): Promise<OrderRow | undefined> {
  return ordersOfEvent(db, eventId).whereRaw('upper(code) = upper(?)', [code]).first();
}

export async function positionsOfOrders(
  db: Executor,
  orderIds: number[],
  includeCanceled: boolean,
): Promise<PositionRow[]> {
  if (orderIds.length === 0) return [];
  const query = db('order_positions').whereIn('order_id', orderIds).orderBy(['order_id', 'positionid']);
  if (!includeCanceled) query.where('canceled', false);
  return query;
}

export async function feesOfOrders(
  db: Executor,
  orderIds: number[],
  includeCanceled: boolean,
): Promise<FeeRow[]> {
  if (orderIds.length === 0) return [];
  const query = db('order_fees').whereIn('order_id', orderIds).orderBy('id');
  if (!includeCanceled) query.where('canceled', false);
  return query;
}

export async function answersOfPositions(
  db: Executor,
  positionIds: number[],
): Promise<{ answers: AnswerRow[]; options: AnswerOptionRow[] }> {
  if (positionIds.length === 0) return { answers: [], options: [] };
  const answers: AnswerRow[] = await db('question_answers')
    .join('questions', 'questions.id', 'question_answers.question_id')
    .whereIn('question_answers.orderposition_id', positionIds)
    .orderBy(['questions.position', 'questions.id'])
    .select('question_answers.*', 'questions.identifier as question_identifier');
  const options: AnswerOptionRow[] = answers.length
    ? await db('question_answer_options')
        .join('question_options', 'question_options.id', 'question_answer_options.option_id')
        .whereIn(
          'question_answer_options.answer_id',
          answers.map((answer) => answer.id),
        )
        .orderBy(['question_options.position', 'question_options.id'])
        .select(
          'question_answer_options.answer_id',
          'question_answer_options.option_id',
          'question_options.identifier',
        )
    : [];
  return { answers, options };
}

/** Successful check-ins only: failed scans are kept for the log, not shown on the ticket. */
export async function checkinsOfPositions(db: Executor, positionIds: number[]): Promise<CheckinRow[]> {
  if (positionIds.length === 0) return [];
  return db('checkins')
    .whereIn('position_id', positionIds)
    .where('successful', true)
    .orderBy(['datetime', 'id']);
}

export async function invoiceAddressesOf(db: Executor, orderIds: number[]): Promise<InvoiceAddressRow[]> {
  if (orderIds.length === 0) return [];
  return db('invoice_addresses').whereIn('order_id', orderIds);
}

export async function paymentsOf(db: Executor, orderIds: number[]): Promise<PaymentRow[]> {
  if (orderIds.length === 0) return [];
  return db('order_payments').whereIn('order_id', orderIds).orderBy(['order_id', 'local_id']);
}

export async function refundsOf(db: Executor, orderIds: number[]): Promise<RefundRow[]> {
  if (orderIds.length === 0) return [];
  return db('order_refunds').whereIn('order_id', orderIds).orderBy(['order_id', 'local_id']);
}

/** Which of these position secrets the event's orders already use. */
export async function takenSecrets(db: Executor, eventId: number, secrets: string[]): Promise<Set<string>> {
  const rows: { secret: string }[] = await db('order_positions')
    .join('orders', 'orders.id', 'order_positions.order_id')
    .where('orders.event_id', eventId)
    .whereIn('order_positions.secret', secrets)
    .select('order_positions.secret');
  return new Set(rows.map((row) => row.secret));
}

/**
 * Inserts an order row; null when a unique column (its code) is taken. A savepoint keeps the caller's
 * transaction usable after the violation, so that it can retry with another code.
 */
export async function insertOrderUnlessTaken(
  trx: Knex.Transaction,
  columns: Record<string, unknown>,
): Promise<number | null> {
  await trx.raw('SAVEPOINT order_code');
  try {
    const [row] = await trx('orders').insert(columns).returning('id');
    await trx.raw('RELEASE SAVEPOINT order_code');
    return (row as { id: number }).id;
  } catch (error) {
    await trx.raw('ROLLBACK TO SAVEPOINT order_code');
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

export async function insertPosition(
  trx: Knex.Transaction,
  columns: Record<string, unknown>,
): Promise<number> {
  const [row] = await trx('order_positions').insert(columns).returning('id');
  return (row as { id: number }).id;
}

/** One answer of a position, with the options chosen for it. */
export async function insertAnswer(
  trx: Knex.Transaction,
  answer: { orderposition_id: number; question_id: number; answer: string; file_key: string | null },
  optionIds: number[],
): Promise<void> {
  const [row] = await trx('question_answers').insert(answer).returning('id');
  const answerId = (row as { id: number }).id;
  if (optionIds.length > 0)
    await trx('question_answer_options').insert(
      optionIds.map((option_id) => ({ answer_id: answerId, option_id })),
    );
}

export async function insertFees(trx: Knex.Transaction, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length > 0) await trx('order_fees').insert(rows);
}

export async function insertInvoiceAddress(
  trx: Knex.Transaction,
  row: Record<string, unknown>,
): Promise<void> {
  await trx('invoice_addresses').insert(row);
}

export async function insertPayments(trx: Knex.Transaction, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length > 0) await trx('order_payments').insert(rows);
}

/** Payments not yet settled end with the order's change (marked paid by another payment, or canceled). */
export async function cancelOpenPayments(trx: Knex.Transaction, orderId: number): Promise<void> {
  await trx('order_payments')
    .where('order_id', orderId)
    .whereIn('state', ['created', 'pending'])
    .update({ state: 'canceled' });
}

export async function setOrderStatus(
  trx: Knex.Transaction,
  orderId: number,
  status: 'p' | 'c',
  now: Date,
): Promise<void> {
  await trx('orders').where('id', orderId).update({ status, last_modified: now });
}

/** A ticket of the event by position id or by secret, locked so that two scans of it are judged one by one. */
export async function lockPosition(
  trx: Knex.Transaction,
  eventId: number,
  idOrSecret: string,
): Promise<{ position: PositionRow; order: OrderRow } | undefined> {
  const query = trx('order_positions')
    .join('orders', 'orders.id', 'order_positions.order_id')
    .where('orders.event_id', eventId)
    .select('order_positions.*')
    .forUpdate('order_positions');
  if (/^\d{1,15}$/.test(idOrSecret)) query.where('order_positions.id', Number(idOrSecret));
  else query.where('order_positions.secret', idOrSecret);
  const position: PositionRow | undefined = await query.first();
  if (!position) return undefined;
  const order: OrderRow = await trx('orders').where('id', position.order_id).first();
  return { position, order };
}

/** Groups rows by a numeric key, keeping their order. */
export function groupBy<T>(rows: T[], key: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
