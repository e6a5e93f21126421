/**
 * Facts about orders and positions, aggregated once per order (or position) in one grouped pass and joined to
 * a sheet's rows, instead of correlated subqueries evaluated once per row. A subquery in the select list is a
 * SubPlan that Postgres runs for every row (13 index scans per position for the answers of the demo event
 * alone), and its cost estimate is what makes Postgres JIT-compile the query. A grouped derived table is one
 * scan with a hash join, and a LEFT JOIN to it is removed by the planner when no column reads it (as in the
 * row count for progress).
 *
 * Every fact table is restricted to the selected events (its own join to `orders`), so a sheet of one event
 * never aggregates another's rows. Ids are inlined: the SQL runs in COPY, which takes no parameters.
 */
import type { Knex } from 'knex';
import { i18n, literal, providerName } from './sql';

const ids = (eventIds: number[]) => (eventIds.length > 0 ? eventIds.map(Number).join(', ') : 'NULL');

/**
 * `st.canceled_paid_fee` per paid order whose positions are all cancelled (pretix's "canceled (paid fee)"): only
 * paid orders can be in that state, so only their positions are aggregated.
 */
export function joinPaidFeeStatus(query: Knex.QueryBuilder, db: Knex, eventIds: number[]): void {
  query.leftJoin(
    db.raw(`(SELECT sp.order_id, bool_and(sp.canceled) AS canceled_paid_fee
      FROM order_positions sp JOIN orders so ON so.id = sp.order_id
      WHERE so.event_id IN (${ids(eventIds)}) AND so.status = 'p'
      GROUP BY sp.order_id) AS st`),
    'st.order_id',
    'o.id',
  );
}

/** pretix's Order.STATUS_CHOICE labels, extended like get_extended_status_display; needs joinPaidFeeStatus. */
export const ORDER_STATUS_LABEL = `CASE o.status
    WHEN 'n' THEN 'pending'
    WHEN 'p' THEN CASE WHEN st.canceled_paid_fee THEN 'canceled (paid fee)' ELSE 'paid' END
    WHEN 'e' THEN 'expired'
    WHEN 'c' THEN 'canceled'
    ELSE o.status END`;

const RECEIVED = "pp.state IN ('confirmed', 'refunded')";

/**
 * Payment facts per order as `pay`: `providers` (pretix's payment method list: providers of payments that were
 * not cancelled or failed, without `free`, by identifier in code point order as Python's sorted(), shown by
 * name), `last_payment` (a refunded payment was still received) and, for each of `paidBy`, `paid_<i>`: confirmed
 * and refunded payments of that provider. One pass: payments grouped by order and provider, then by order.
 */
export function joinPayments(
  query: Knex.QueryBuilder,
  db: Knex,
  eventIds: number[],
  paidBy: string[] = [],
): void {
  const perProvider = paidBy.map(
    (provider, i) => `, sum(d.received) FILTER (WHERE d.provider = ${literal(provider)}) AS paid_${i}`,
  );
  query.leftJoin(
    db.raw(`(SELECT d.order_id,
        string_agg(${providerName('d.provider')}, ', ' ORDER BY d.provider COLLATE "C")
          FILTER (WHERE d.listed AND d.provider <> 'free') AS providers,
        max(d.last_payment) AS last_payment${perProvider.join('')}
      FROM (SELECT pp.order_id, pp.provider,
          bool_or(pp.state IN ('created', 'pending', 'confirmed', 'refunded')) AS listed,
          max(pp.payment_date) FILTER (WHERE ${RECEIVED}) AS last_payment,
          sum(pp.amount) FILTER (WHERE ${RECEIVED}) AS received
        FROM order_payments pp JOIN orders po ON po.id = pp.order_id
        WHERE po.event_id IN (${ids(eventIds)})
        GROUP BY pp.order_id, pp.provider) AS d
      GROUP BY d.order_id) AS pay`),
    'pay.order_id',
    'o.id',
  );
}

/** `rf.refunded_<i>` per order: done and in-transit refunds of each of `providers`. */
export function joinRefunds(
  query: Knex.QueryBuilder,
  db: Knex,
  eventIds: number[],
  providers: string[],
): void {
  if (providers.length === 0) return;
  const sums = providers.map(
    (provider, i) => `sum(r.amount) FILTER (WHERE r.provider = ${literal(provider)}) AS refunded_${i}`,
  );
  query.leftJoin(
    db.raw(`(SELECT r.order_id, ${sums.join(', ')}
      FROM order_refunds r JOIN orders ro ON ro.id = r.order_id
      WHERE ro.event_id IN (${ids(eventIds)}) AND r.state IN ('done', 'transit')
      GROUP BY r.order_id) AS rf`),
    'rf.order_id',
    'o.id',
  );
}

/**
 * Sums over an order's positions (`ps`) and fees (`fs`) that are not cancelled: `count` (positions), `value`
 * (fees), and per tax rate i `gross_<i>` and `tax_<i>`.
 */
export function joinOrderSums(
  query: Knex.QueryBuilder,
  db: Knex,
  eventIds: number[],
  taxRates: string[],
): void {
  const perRate = (price: string, alias: string) =>
    taxRates
      .map(
        (rate, i) =>
          `, sum(${alias}.${price}) FILTER (WHERE ${alias}.tax_rate = ${Number(rate)}) AS gross_${i}` +
          `, sum(${alias}.tax_value) FILTER (WHERE ${alias}.tax_rate = ${Number(rate)}) AS tax_${i}`,
      )
      .join('');
  query
    .leftJoin(
      db.raw(`(SELECT p.order_id, count(*) AS count${perRate('price', 'p')}
        FROM order_positions p JOIN orders po ON po.id = p.order_id
        WHERE po.event_id IN (${ids(eventIds)}) AND NOT p.canceled
        GROUP BY p.order_id) AS ps`),
      'ps.order_id',
      'o.id',
    )
    .leftJoin(
      db.raw(`(SELECT f.order_id, sum(f.value) AS value${perRate('value', 'f')}
        FROM order_fees f JOIN orders fo ON fo.id = f.order_id
        WHERE fo.event_id IN (${ids(eventIds)}) AND NOT f.canceled
        GROUP BY f.order_id) AS fs`),
      'fs.order_id',
      'o.id',
    );
}

/** `cl.lists` per position: the lists it was successfully scanned into (entries only), each once, by name. */
export function joinCheckinLists(query: Knex.QueryBuilder, db: Knex, eventIds: number[]): void {
  query.leftJoin(
    db.raw(`(SELECT c.position_id, string_agg(DISTINCT l.name, ', ' ORDER BY l.name) AS lists
      FROM checkins c JOIN checkin_lists l ON l.id = c.list_id
      WHERE l.event_id IN (${ids(eventIds)}) AND c.successful AND c.type = 'entry'
      GROUP BY c.position_id) AS cl`),
    'cl.position_id',
    'op.id',
  );
}

/** A question as the answer pivot needs it. */
export interface PivotQuestion {
  id: number;
  type: string;
  /** For ungrouped multiple choice: the options that get a Yes/No column each. */
  optionIds?: number[];
  /** The answer's value as SQL over `qa` (the answer) and `ao.labels` (its options), if not orderlist's. */
  value?: string;
}

/** An answer as orderlist writes it: choices as their option labels, booleans Yes/No, anything else as typed. */
function answerValue(type: string): string {
  if (type === 'C' || type === 'M') return 'coalesce(ao.labels, qa.answer)';
  if (type === 'B') return "CASE qa.answer WHEN 'True' THEN 'Yes' WHEN 'False' THEN 'No' ELSE qa.answer END";
  return 'qa.answer';
}

/**
 * Answers of `questions` pivoted to one row per position, in one grouped pass over their answers (the answers
 * table is restricted by question, which belongs to one event). Per question q (index i): `a_<i>` its answer as
 * pretix writes it (choice answers as their option labels, booleans Yes/No), or with `optionIds`, per option
 * (index j) `a_<i>_<j>` whether it was chosen (NULL without answers); with `presence`, also `h_<i>`: whether the
 * position has an answer row at all. Only what is asked for is selected: a select list holds at most 1,664
 * columns, and an organizer-level sheet has a column per question of every event.
 */
export function answerPivot(questions: PivotQuestion[], options: { presence?: boolean } = {}): string | null {
  if (questions.length === 0) return null;
  const selects = questions.flatMap((question, i) => {
    const id = Number(question.id);
    const value = question.value ?? answerValue(question.type);
    // unique (orderposition_id, question_id): max() picks the one answer of this question.
    const answer = question.optionIds
      ? question.optionIds.map(
          (option, j) =>
            `bool_or(qa.question_id = ${id} AND ${Number(option)} = ANY(ao.options)) AS a_${i}_${j}`,
        )
      : [`max(CASE WHEN qa.question_id = ${id} THEN ${value} END) AS a_${i}`];
    return [...answer, ...(options.presence ? [`bool_or(qa.question_id = ${id}) AS h_${i}`] : [])];
  });
  const questionIds = questions.map((q) => Number(q.id)).join(', ');
  return `(SELECT qa.orderposition_id, ${selects.join(', ')}
    FROM question_answers qa
    LEFT JOIN (SELECT qao.answer_id,
        string_agg(${i18n('qo.answer')}, ', ' ORDER BY qo.position, qo.id) AS labels,
        array_agg(qo.id) AS options
      FROM question_answer_options qao JOIN question_options qo ON qo.id = qao.option_id
      WHERE qo.question_id IN (${questionIds})
      GROUP BY qao.answer_id) AS ao ON ao.answer_id = qa.id
    WHERE qa.question_id IN (${questionIds})
    GROUP BY qa.orderposition_id)`;
}

/**
 * `em.m_<i>` per event: its value of each of the organizer's event meta properties `propertyIds`, NULL when the
 * event has none (the column then shows the property's default, as pretix's Event.meta_data does).
 */
export function joinEventMeta(
  query: Knex.QueryBuilder,
  db: Knex,
  eventIds: number[],
  propertyIds: number[],
): void {
  if (propertyIds.length === 0) return;
  const values = propertyIds.map(
    (id, i) => `max(CASE WHEN v.property_id = ${Number(id)} THEN v.value END) AS m_${i}`,
  );
  query.leftJoin(
    db.raw(`(SELECT v.event_id, ${values.join(', ')} FROM event_meta_values v
      WHERE v.event_id IN (${ids(eventIds)}) GROUP BY v.event_id) AS em`),
    'em.event_id',
    'e.id',
  );
}
