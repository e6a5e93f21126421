import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { isoDate } from '../../shared/formats';
import { formatDateTime } from '../../shared/api-datetime';
import {
  answersOfPositions,
  checkinsOfPositions,
  feesOfOrders,
  groupBy,
  invoiceAddressesOf,
  paymentsOf,
  positionsOfOrders,
  refundsOf,
  type AnswerOptionRow,
  type AnswerRow,
  type CheckinRow,
  type FeeRow,
  type InvoiceAddressRow,
  type OrderRow,
  type PaymentRow,
  type PositionRow,
  type RefundRow,
} from './orders.repository';

/** An answer as pretix's AnswerSerializer writes it, field for field (the API and the shredders' export). */
export function answerResource(answer: AnswerRow, options: readonly AnswerOptionRow[]) {
  return {
    question: answer.question_id,
    answer: answer.answer,
    question_identifier: answer.question_identifier,
    options: options.map((option) => option.option_id),
    option_identifiers: options.map((option) => option.identifier),
  };
}

/** How an order, its positions and everything below them look on the wire (pretix's field names). */
export function positionResource(
  row: PositionRow,
  orderCode: string,
  answers: AnswerRow[],
  answerOptions: Map<number, AnswerOptionRow[]>,
  checkins: CheckinRow[],
) {
  return {
    id: row.id,
    order: orderCode,
    positionid: row.positionid,
    item: row.item_id,
    variation: row.variation_id,
    price: row.price,
    attendee_name: row.attendee_name_cached,
    attendee_name_parts: row.attendee_name_parts,
    attendee_email: row.attendee_email,
    company: row.company,
    street: row.street,
    zipcode: row.zipcode,
    city: row.city,
    country: row.country,
    state: row.state,
    voucher: null,
    tax_rate: row.tax_rate,
    tax_value: row.tax_value,
    tax_rule: null,
    secret: row.secret,
    addon_to: row.addon_to_id,
    subevent: null,
    pseudonymization_id: row.pseudonymization_id,
    canceled: row.canceled,
    valid_from: formatDateTime(row.valid_from),
    valid_until: formatDateTime(row.valid_until),
    checkins: checkins.map((checkin) => ({
      id: checkin.id,
      list: checkin.list_id,
      datetime: formatDateTime(checkin.datetime),
      type: checkin.type,
      gate_name: checkin.gate_name,
      device_name: checkin.device_name,
      auto_checked_in: false,
    })),
    answers: answers.map((answer) => answerResource(answer, answerOptions.get(answer.id) ?? [])),
    downloads: [],
  };
}

export type PositionResource = ReturnType<typeof positionResource>;

function feeResource(row: FeeRow) {
  return {
    id: row.id,
    fee_type: row.fee_type,
    value: row.value,
    description: row.description,
    internal_type: '',
    tax_rate: row.tax_rate,
    tax_value: row.tax_value,
    tax_rule: null,
    canceled: row.canceled,
  };
}

export function invoiceAddressResource(row: InvoiceAddressRow) {
  return {
    last_modified: formatDateTime(row.last_modified),
    is_business: row.is_business,
    company: row.company,
    name: row.name_cached,
    name_parts: row.name_parts,
    street: row.street,
    zipcode: row.zipcode,
    city: row.city,
    country: row.country,
    state: row.state,
    vat_id: row.vat_id,
    vat_id_validated: row.vat_id_validated,
    internal_reference: row.internal_reference,
  };
}

function paymentResource(row: PaymentRow) {
  return {
    local_id: row.local_id,
    state: row.state,
    amount: row.amount,
    created: formatDateTime(row.created),
    payment_date: formatDateTime(row.payment_date),
    provider: row.provider,
    payment_url: null,
    details: row.info,
  };
}

function refundResource(row: RefundRow, payments: PaymentRow[]) {
  return {
    local_id: row.local_id,
    state: row.state,
    source: row.source,
    amount: row.amount,
    payment: payments.find((payment) => payment.id === row.payment_id)?.local_id ?? null,
    created: formatDateTime(row.created),
    execution_date: formatDateTime(row.execution_date),
    comment: row.comment,
    provider: row.provider,
    details: row.info,
  };
}

export interface ResourceOptions {
  includeCanceledPositions?: boolean;
  includeCanceledFees?: boolean;
}

/** Positions with their answers and check-ins, for a set of position rows (one query per relation). */
export async function positionResources(
  db: Db | Knex.Transaction,
  positions: PositionRow[],
  orderCodes: Map<number, string>,
) {
  const ids = positions.map((position) => position.id);
  const [{ answers, options }, checkins] = await Promise.all([
    answersOfPositions(db, ids),
    checkinsOfPositions(db, ids),
  ]);
  const answersByPosition = groupBy(answers, (answer) => answer.orderposition_id);
  const optionsByAnswer = groupBy(options, (option) => option.answer_id);
  const checkinsByPosition = groupBy(checkins, (checkin) => checkin.position_id);
  return positions.map((position) =>
    positionResource(
      position,
      orderCodes.get(position.order_id) ?? '',
      answersByPosition.get(position.id) ?? [],
      optionsByAnswer,
      checkinsByPosition.get(position.id) ?? [],
    ),
  );
}

/** A page of orders in full, with a fixed number of queries however many orders there are. */
export async function orderResources(
  db: Db | Knex.Transaction,
  eventSlug: string,
  orders: OrderRow[],
  options: ResourceOptions = {},
) {
  const ids = orders.map((order) => order.id);
  const codes = new Map(orders.map((order) => [order.id, order.code]));
  const [positions, fees, addresses, payments, refunds] = await Promise.all([
    positionsOfOrders(db, ids, options.includeCanceledPositions ?? false),
    feesOfOrders(db, ids, options.includeCanceledFees ?? false),
    invoiceAddressesOf(db, ids),
    paymentsOf(db, ids),
    refundsOf(db, ids),
  ]);
  const orderOfPosition = new Map(positions.map((position) => [position.id, position.order_id]));
  const positionsByOrder = groupBy(await positionResources(db, positions, codes), (position) =>
    orderOfPosition.get(position.id)!,
  );
  const feesByOrder = groupBy(fees, (fee) => fee.order_id);
  const addressByOrder = new Map(addresses.map((address) => [address.order_id, address]));
  const paymentsByOrder = groupBy(payments, (payment) => payment.order_id);
  const refundsByOrder = groupBy(refunds, (refund) => refund.order_id);

  return orders.map((order) => {
    const orderPayments = paymentsByOrder.get(order.id) ?? [];
    const confirmed = orderPayments.filter(
      (payment) => payment.state === 'confirmed' && payment.payment_date,
    );
    const lastPayment = confirmed.map((payment) => payment.payment_date!).sort((a, b) => +b - +a)[0] ?? null;
    const address = addressByOrder.get(order.id);
    return {
      code: order.code,
      event: eventSlug,
      status: order.status,
      testmode: order.testmode,
      secret: order.secret,
      email: order.email,
      phone: order.phone,
      customer: null,
      locale: order.locale,
      sales_channel: order.sales_channel,
      datetime: formatDateTime(order.datetime),
      expires: formatDateTime(order.expires),
      payment_date: isoDate(lastPayment),
      payment_provider: order.payment_provider,
      total: order.total,
      comment: order.comment,
      checkin_attention: order.checkin_attention,
      customer_reference: order.customer_reference,
      require_approval: false,
      last_modified: formatDateTime(order.last_modified),
      invoice_address: address ? invoiceAddressResource(address) : null,
      positions: positionsByOrder.get(order.id) ?? [],
      fees: (feesByOrder.get(order.id) ?? []).map(feeResource),
      payments: orderPayments.map(paymentResource),
      refunds: (refundsByOrder.get(order.id) ?? []).map((refund) => refundResource(refund, orderPayments)),
      downloads: [],
    };
  });
}

export type OrderResource = Awaited<ReturnType<typeof orderResources>>[number];
