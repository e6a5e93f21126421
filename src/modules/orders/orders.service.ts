import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { BadRequest, NotFound, ValidationError, type FieldErrors } from '../../shared/errors';
import { fromCents, includedTaxCents, toCents } from '../../shared/formats';
import { randomToken } from '../../shared/ids';
import type { EventRow } from '../access/access.service';
import { itemsWithVariations, type ItemRow, type VariationRow } from '../items/items.repository';
import { AnswerError, cleanAnswer, type CleanAnswer } from '../questions/answers';
import { questionsWithRelations, type QuestionWithRelations } from '../questions/questions.repository';
import { reserveQuotas } from '../quotas/quotas.service';
import {
  cancelOpenPayments,
  findOrderByCode,
  insertAnswer,
  insertFees,
  insertInvoiceAddress,
  insertOrderUnlessTaken,
  insertPayments,
  insertPosition,
  ordersOfEvent,
  paymentsOf,
  positionsOfOrders,
  setOrderStatus,
  takenSecrets,
  type OrderRow,
} from './orders.repository';
import { orderResources, type OrderResource, type ResourceOptions } from './orders.resources';
import type { InvoiceAddressCreate, OrderCreate, PositionCreate } from './orders.schemas';
import { ORDER_STATUSES } from './orders.schemas';

/** pretix's alphabets: order codes and pseudonymization ids avoid look-alike characters. */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ3789';
export const SECRET_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const PAYMENT_TERM_DAYS = 14;
/** numeric(13,2) holds amounts below 10^11. */
const MAX_TOTAL_CENTS = 100_000_000_000 * 100;

export interface OrderListFilters {
  status?: string;
  email?: string;
  code?: string;
  modified_since?: string;
  testmode?: string;
  ordering?: string;
}

/** A position that passed validation, ready to be written. */
interface ValidPosition {
  input: PositionCreate;
  positionid: number;
  item: ItemRow;
  variation: VariationRow | null;
  priceCents: number;
  answers: { questionId: number; clean: CleanAnswer }[];
}

/** "Full Name" from name parts, skipping pretix's internal keys such as _scheme. */
export function nameFromParts(parts: Record<string, string>): string {
  if (parts._legacy) return parts._legacy;
  return Object.entries(parts)
    .filter(([key, value]) => !key.startsWith('_') && value)
    .map(([, value]) => value)
    .join(' ');
}

function hasErrors(errors: FieldErrors): boolean {
  return Object.keys(errors).length > 0;
}

function firstText(value: Record<string, string>): string {
  return value.en ?? Object.values(value)[0] ?? '';
}

/** Orders of one event: listing, reading, creating in one transaction, and the status transitions. */
export class OrdersService {
  constructor(private readonly db: Db) {}

  list(event: EventRow, filters: OrderListFilters): Knex.QueryBuilder {
    const query = ordersOfEvent(this.db, event.id);
    if (filters.status !== undefined) {
      if (!(ORDER_STATUSES as readonly string[]).includes(filters.status)) {
        throw ValidationError.field(
          'status',
          `Select a valid choice. ${filters.status} is not one of the available choices.`,
        );
      }
      query.where('status', filters.status);
    }
    if (filters.email !== undefined) query.whereRaw('lower(email) = lower(?)', [filters.email]);
    if (filters.code !== undefined) query.whereRaw('upper(code) = upper(?)', [filters.code]);
    if (filters.testmode === 'true' || filters.testmode === 'false')
      query.where('testmode', filters.testmode === 'true');
    if (filters.modified_since !== undefined) {
      const since = new Date(filters.modified_since);
      if (Number.isNaN(since.getTime()))
        throw ValidationError.field('modified_since', 'Enter a valid date/time.');
      query.where('last_modified', '>=', since);
    }
    return query;
  }

  async toResources(event: EventRow, rows: OrderRow[], options: ResourceOptions = {}) {
    return orderResources(this.db, event.slug, rows, options);
  }

  async get(event: EventRow, code: string, options: ResourceOptions = {}): Promise<OrderResource> {
    const row = await findOrderByCode(this.db, event.id, code);
    if (!row) throw new NotFound();
    const [resource] = await this.toResources(event, [row], options);
    return resource!;
  }

  async create(event: EventRow, input: OrderCreate): Promise<OrderResource> {
    const code = await this.db.transaction(async (trx) => {
      const positions = await this.validatePositions(trx, event, input);
      await this.checkQuotas(trx, event, positions);
      return this.insert(trx, event, input, positions);
    });
    return this.get(event, code);
  }

  /** Every check that needs no lock; errors are collected for all positions before one 400 is thrown. */
  private async validatePositions(
    trx: Knex.Transaction,
    event: EventRow,
    input: OrderCreate,
  ): Promise<ValidPosition[]> {
    const items = await itemsWithVariations(
      trx,
      event.id,
      input.positions.map((position) => position.item),
    );
    const questions = await questionsWithRelations(trx, event.id);
    const errors: FieldErrors = {};
    const positionErrors: FieldErrors[] = input.positions.map(() => ({}));

    const manualIds = input.positions.filter((position) => position.positionid !== undefined).length;
    if (manualIds > 0 && manualIds < input.positions.length) {
      errors.positions = ['If you set position IDs manually, you need to do so for all positions.'];
    } else if (
      manualIds > 0 &&
      input.positions.some((position, index) => position.positionid !== index + 1)
    ) {
      errors.positions = ['Position IDs need to be consecutive.'];
    }
    if (errors.positions) throw new ValidationError(errors);

    const valid: ValidPosition[] = [];
    const secrets = new Set<string>();
    input.positions.forEach((position, index) => {
      const positionid = position.positionid ?? index + 1;
      const own = positionErrors[index]!;
      const item = items.get(position.item);
      if (!item) {
        own.item = [`Invalid pk "${position.item}" - object does not exist.`];
        return;
      }
      let variation: VariationRow | null = null;
      if (item.variations.length > 0) {
        if (position.variation === null) own.variation = ['You should specify a variation for this item.'];
        else {
          variation = item.variations.find((candidate) => candidate.id === position.variation) ?? null;
          if (!variation) own.variation = ['The specified variation does not belong to the specified item.'];
        }
      } else if (position.variation !== null) {
        own.variation = ['You cannot specify a variation for this item.'];
      }
      if (position.attendee_name !== null && position.attendee_name_parts !== null)
        own.attendee_name = ['Do not specify attendee_name if you specified attendee_name_parts.'];
      if (position.addon_to !== null && (position.addon_to >= positionid || position.addon_to < 1)) {
        own.addon_to = [
          'If you set addon_to, you need to make sure that the referenced position ID exists and is transmitted ' +
            'before its add-ons.',
        ];
      }
      if (position.secret !== undefined) {
        if (secrets.has(position.secret))
          own.secret = ['You cannot assign a position secret that already exists.'];
        secrets.add(position.secret);
      }
      const answers = this.validateAnswers(position, item, questions, own);
      const priceCents = toCents(position.price ?? variation?.default_price ?? item.default_price);
      valid.push({ input: position, positionid, item, variation, priceCents, answers });
    });

    if (secrets.size > 0) {
      const takenSet = await takenSecrets(trx, event.id, [...secrets]);
      input.positions.forEach((position, index) => {
        if (position.secret !== undefined && takenSet.has(position.secret))
          positionErrors[index]!.secret = ['You cannot assign a position secret that already exists.'];
      });
    }
    if (positionErrors.some(hasErrors)) errors.positions = positionErrors;
    if (input.code && (await findOrderByCode(trx, event.id, input.code)))
      errors.code = ['This order code is already in use.'];
    if (hasErrors(errors)) throw new ValidationError(errors);
    return valid;
  }

  /** Answers must be to questions asked for the item, of the right type; required questions need one. */
  private validateAnswers(
    position: PositionCreate,
    item: ItemRow,
    questions: Map<number, QuestionWithRelations>,
    own: FieldErrors,
  ): ValidPosition['answers'] {
    const answerErrors: FieldErrors[] = position.answers.map(() => ({}));
    const cleaned: ValidPosition['answers'] = [];
    const answered = new Set<number>();
    position.answers.forEach((answer, index) => {
      const question = questions.get(answer.question);
      if (!question) {
        answerErrors[index]!.question = [`Invalid pk "${answer.question}" - object does not exist.`];
        return;
      }
      if (!question.items.has(item.id)) {
        answerErrors[index]!.question = [
          `The question "${firstText(question.question)}" is not asked for this product.`,
        ];
        return;
      }
      if (answered.has(question.id)) {
        answerErrors[index]!.question = ['You can only answer each question once.'];
        return;
      }
      answered.add(question.id);
      try {
        cleaned.push({ questionId: question.id, clean: cleanAnswer(question, answer) });
      } catch (error) {
        if (!(error instanceof AnswerError)) throw error;
        answerErrors[index]![error.field] = [error.message];
      }
    });
    if (answerErrors.some(hasErrors)) {
      own.answers = answerErrors;
      return cleaned;
    }
    const missing = [...questions.values()].filter(
      (question) => question.required && question.items.has(item.id) && !answered.has(question.id),
    );
    if (missing.length > 0) {
      own.answers = missing.map((question) => `The question "${firstText(question.question)}" is required.`);
    }
    return cleaned;
  }

  private async checkQuotas(
    trx: Knex.Transaction,
    event: EventRow,
    positions: ValidPosition[],
    orderId?: number,
  ) {
    const failures = await reserveQuotas(
      trx,
      event.id,
      positions.map((position, index) => ({
        index,
        itemId: position.item.id,
        itemName: position.item.name,
        variationId: position.variation?.id ?? null,
      })),
      orderId ?? null,
    );
    if (failures.size === 0) return;
    throw new ValidationError({
      positions: positions.map((_position, index): FieldErrors => {
        const message = failures.get(index);
        return message ? { item: [message] } : {};
      }),
    });
  }

  private async insert(
    trx: Knex.Transaction,
    event: EventRow,
    input: OrderCreate,
    positions: ValidPosition[],
  ): Promise<string> {
    const now = new Date();
    const feeCents = input.fees.map((fee) => toCents(fee.value));
    const totalCents =
      positions.reduce((sum, position) => sum + position.priceCents, 0) + feeCents.reduce((a, b) => a + b, 0);
    // Each amount fits numeric(13,2), but their sum may not; Postgres would fail the insert with an overflow.
    if (Math.abs(totalCents) >= MAX_TOTAL_CENTS) {
      throw new ValidationError({
        non_field_errors: ['The order total is too large: it must stay below 100000000000.00.'],
      });
    }
    const orderColumns = {
      event_id: event.id,
      status: input.status,
      testmode: input.testmode,
      secret: randomToken(16),
      email: input.email,
      phone: input.phone,
      locale: input.locale,
      datetime: now,
      expires: new Date(now.getTime() + PAYMENT_TERM_DAYS * 86400_000),
      total: fromCents(totalCents),
      comment: input.comment,
      sales_channel: input.sales_channel,
      checkin_attention: input.checkin_attention,
      customer_reference: input.customer_reference,
      payment_provider: input.payment_provider,
      last_modified: now,
    };
    const { id: orderId, code } = await this.insertOrderRow(trx, orderColumns, input.code);

    const idByPositionid = new Map<number, number>();
    for (const position of positions) {
      const p = position.input;
      const parts = p.attendee_name_parts ?? (p.attendee_name ? { _legacy: p.attendee_name } : {});
      const positionId = await insertPosition(trx, {
        order_id: orderId,
        positionid: position.positionid,
        item_id: position.item.id,
        variation_id: position.variation?.id ?? null,
        price: fromCents(position.priceCents),
        tax_rate: position.item.tax_rate,
        tax_value: fromCents(includedTaxCents(position.priceCents, position.item.tax_rate)),
        attendee_name_cached: p.attendee_name ?? (nameFromParts(parts) || null),
        attendee_name_parts: JSON.stringify(parts),
        attendee_email: p.attendee_email,
        company: p.company,
        street: p.street,
        zipcode: p.zipcode,
        city: p.city,
        country: p.country || null,
        state: p.state,
        secret: p.secret ?? randomToken(32, SECRET_ALPHABET),
        pseudonymization_id: randomToken(10, CODE_ALPHABET),
        addon_to_id: p.addon_to === null ? null : idByPositionid.get(p.addon_to),
        valid_from: p.valid_from,
        valid_until: p.valid_until,
      });
      idByPositionid.set(position.positionid, positionId);
      for (const { questionId, clean } of position.answers) {
        await insertAnswer(
          trx,
          {
            orderposition_id: positionId,
            question_id: questionId,
            answer: clean.answer,
            file_key: clean.fileKey,
          },
          clean.options.map((option) => option.id),
        );
      }
    }

    await insertFees(
      trx,
      input.fees.map((fee, index) => ({
        order_id: orderId,
        fee_type: fee.fee_type,
        description: fee.description,
        value: fee.value,
        tax_rate: fee.tax_rate,
        tax_value: fromCents(includedTaxCents(feeCents[index]!, fee.tax_rate)),
      })),
    );
    if (input.invoice_address)
      await insertInvoiceAddress(trx, invoiceAddressRow(orderId, input.invoice_address));
    await insertPayments(trx, this.initialPayments(orderId, input, totalCents, now));
    return code;
  }

  /** Retries generated codes on the (rare) collision; a code the client chose is checked in validation. */
  private async insertOrderRow(
    trx: Knex.Transaction,
    columns: Record<string, unknown>,
    requested: string | undefined,
  ): Promise<{ id: number; code: string }> {
    for (let attempt = 0; ; attempt++) {
      const code = requested ?? randomToken(5, CODE_ALPHABET);
      const id = await insertOrderUnlessTaken(trx, { ...columns, code });
      if (id !== null) return { id, code };
      if (requested) throw ValidationError.field('code', 'This order code is already in use.');
      if (attempt > 10) throw new Error('No free order code after 12 attempts');
    }
  }

  /**
   * Payments as given; otherwise, as pretix does, a paid order gets one confirmed payment over the total and a
   * pending order with a payment provider gets one created payment.
   */
  private initialPayments(orderId: number, input: OrderCreate, totalCents: number, now: Date) {
    const given = input.payments ?? [];
    if (given.length > 0) {
      return given.map((payment, index) => ({
        order_id: orderId,
        local_id: index + 1,
        provider: payment.provider,
        state: payment.state,
        amount: payment.amount,
        created: now,
        payment_date: payment.payment_date ?? (payment.state === 'confirmed' ? now : null),
        info: JSON.stringify(payment.info),
      }));
    }
    if (input.status === 'p') {
      return [
        {
          order_id: orderId,
          local_id: 1,
          provider: input.payment_provider ?? (totalCents === 0 ? 'free' : 'manual'),
          state: 'confirmed',
          amount: fromCents(totalCents),
          created: now,
          payment_date: input.payment_date ?? now,
          info: '{}',
        },
      ];
    }
    if (input.payment_provider) {
      return [
        {
          order_id: orderId,
          local_id: 1,
          provider: input.payment_provider,
          state: 'created',
          amount: fromCents(totalCents),
          created: now,
          payment_date: null,
          info: '{}',
        },
      ];
    }
    return [];
  }

  private async lockOrder(trx: Knex.Transaction, event: EventRow, code: string): Promise<OrderRow> {
    const row: OrderRow | undefined = await ordersOfEvent(trx, event.id)
      .whereRaw('upper(code) = upper(?)', [code])
      .forUpdate()
      .first();
    if (!row) throw new NotFound();
    return row;
  }

  /**
   * Pending or expired → paid, with a confirmed manual payment over what is still open. An expired order
   * re-enters its quotas, so they are checked again.
   */
  async markPaid(event: EventRow, code: string): Promise<OrderResource> {
    await this.db.transaction(async (trx) => {
      const order = await this.lockOrder(trx, event, code);
      if (order.status !== 'n' && order.status !== 'e')
        throw new BadRequest('The order is not pending or expired.');
      if (order.status === 'e') await this.recheckQuotas(trx, event, order);
      const payments = await paymentsOf(trx, [order.id]);
      const paidCents = payments
        .filter((payment) => payment.state === 'confirmed')
        .reduce((sum, payment) => sum + toCents(payment.amount), 0);
      const openCents = toCents(order.total) - paidCents;
      const now = new Date();
      if (openCents > 0) {
        await cancelOpenPayments(trx, order.id);
        await insertPayments(trx, [
          {
            order_id: order.id,
            local_id: Math.max(0, ...payments.map((payment) => payment.local_id)) + 1,
            provider: 'manual',
            state: 'confirmed',
            amount: fromCents(openCents),
            created: now,
            payment_date: now,
          },
        ]);
      }
      await setOrderStatus(trx, order.id, 'p', now);
    });
    return this.get(event, code);
  }

  private async recheckQuotas(trx: Knex.Transaction, event: EventRow, order: OrderRow): Promise<void> {
    const rows = await positionsOfOrders(trx, [order.id], false);
    const failures = await reserveQuotas(
      trx,
      event.id,
      rows.map((row, index) => ({ index, itemId: row.item_id, itemName: {}, variationId: row.variation_id })),
      order.id,
    );
    const first = [...failures.values()][0];
    if (first) throw new BadRequest(first);
  }

  /** Pending, paid or expired → canceled; open payments are canceled with it. */
  async markCanceled(event: EventRow, code: string): Promise<OrderResource> {
    await this.db.transaction(async (trx) => {
      const order = await this.lockOrder(trx, event, code);
      if (order.status === 'c') throw new BadRequest('The order is not allowed to be canceled.');
      await cancelOpenPayments(trx, order.id);
      await setOrderStatus(trx, order.id, 'c', new Date());
    });
    return this.get(event, code);
  }
}

function invoiceAddressRow(orderId: number, address: InvoiceAddressCreate) {
  return {
    order_id: orderId,
    is_business: address.is_business,
    company: address.company,
    name_cached: address.name || nameFromParts(address.name_parts),
    name_parts: JSON.stringify(
      Object.keys(address.name_parts).length > 0
        ? address.name_parts
        : address.name
          ? { _legacy: address.name }
          : {},
    ),
    street: address.street,
    zipcode: address.zipcode,
    city: address.city,
    country: address.country,
    state: address.state,
    vat_id: address.vat_id,
    vat_id_validated: address.vat_id_validated,
    internal_reference: address.internal_reference,
  };
}
