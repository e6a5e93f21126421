import { copyValue as v } from '../../platform/bulk';
import { includedTaxCents } from '../../shared/formats';
import { CODE_ALPHABET, SECRET_ALPHABET } from '../orders/orders.service';
import type { DemoCatalog, DemoProduct, DemoQuestion } from './demo.catalog';
import { mailbox, type LocalePool } from './demo.pools';
import { mixSeed, Random } from './demo.random';

const DAY = 86_400_000;
const CODE_SPACE = 28 ** 5;
/** Order codes are a bijection of an index (multiplier coprime to 28^5), so distinct indices never collide. */
const CODE_MULTIPLIER = 7_368_787;
const CODE_OFFSET = 1_234_567;

export function orderCode(index: number): string {
  if (index >= CODE_SPACE) throw new Error('too many orders for one organizer');
  let n = (index * CODE_MULTIPLIER + CODE_OFFSET) % CODE_SPACE;
  let code = '';
  for (let i = 0; i < 5; i++) {
    code = CODE_ALPHABET[n % 28]! + code;
    n = Math.floor(n / 28);
  }
  return code;
}

export interface GeneratorContext {
  seed: number;
  eventId: number;
  /**
   * Where this event's order indices start: the organizer's order count before the seed, so that codes stay
   * unique across the organizer's events (pretix's rule; bank-transfer matching relies on it).
   */
  codeOffset: number;
  eventStart: number;
  catalog: DemoCatalog;
  pools: [LocalePool, number][];
}

interface Person {
  pool: LocalePool;
  first: string;
  last: string;
  email: string;
}

interface PlannedAnswer {
  questionId: number;
  answer: string;
  fileKey: string | null;
  optionIds: number[];
}

interface PlannedPosition {
  product: DemoProduct;
  variationId: number | null;
  priceCents: number;
  canceled: boolean;
  attendee: Person | null;
  attendeeEmail: boolean;
  address: boolean;
  company: string | null;
  addonTo: number | null;
  answers: PlannedAnswer[];
  checkins: { at: number; type: 'entry' | 'exit'; ok: boolean }[];
}

interface PlannedOrder {
  code: string;
  status: 'n' | 'p' | 'e' | 'c';
  buyer: Person;
  datetime: number;
  provider: string;
  positions: PlannedPosition[];
  fees: { type: string; description: string; cents: number; taxRate: string }[];
  invoice: boolean;
  business: boolean;
  paidAt: number | null;
  refundedAt: number | null;
  /** The rest of the order's randomness, drawn while planning so that it never depends on allocated ids. */
  extras: {
    secret: string;
    phone: string | null;
    comment: string;
    salesChannel: string;
    checkinAttention: boolean;
    customerReference: string | null;
    positionSecrets: string;
    pseudonyms: string;
    internalReference: string;
    vatNumber: string;
    /** Picks from the address pools, so that addresses do not depend on allocated ids either. */
    pick: number;
  };
}

/** Counts of what one batch wrote, summed into the final report. */
export interface BatchCounts {
  orders: number;
  positions: number;
  answers: number;
  fees: number;
  invoice_addresses: number;
  payments: number;
  refunds: number;
  checkins: number;
}

export function emptyCounts(): BatchCounts {
  return {
    orders: 0,
    positions: 0,
    answers: 0,
    fees: 0,
    invoice_addresses: 0,
    payments: 0,
    refunds: 0,
    checkins: 0,
  };
}

/** COPY text per table for one batch, plus how many ids of each sequence it needs. */
export interface PlannedBatch {
  orders: PlannedOrder[];
  needs: { orders: number; positions: number; answers: number; payments: number };
}

export const COPY_COLUMNS = {
  orders: [
    'id',
    'event_id',
    'code',
    'status',
    'testmode',
    'secret',
    'email',
    'phone',
    'locale',
    'datetime',
    'expires',
    'total',
    'comment',
    'sales_channel',
    'checkin_attention',
    'customer_reference',
    'payment_provider',
    'last_modified',
  ],
  order_positions: [
    'id',
    'order_id',
    'positionid',
    'item_id',
    'variation_id',
    'price',
    'tax_rate',
    'tax_value',
    'attendee_name_cached',
    'attendee_name_parts',
    'attendee_email',
    'company',
    'street',
    'zipcode',
    'city',
    'country',
    'state',
    'secret',
    'pseudonymization_id',
    'addon_to_id',
    'canceled',
  ],
  question_answers: ['id', 'orderposition_id', 'question_id', 'answer', 'file_key'],
  question_answer_options: ['answer_id', 'option_id'],
  order_fees: ['order_id', 'fee_type', 'description', 'value', 'tax_rate', 'tax_value', 'canceled'],
  invoice_addresses: [
    'order_id',
    'is_business',
    'company',
    'name_cached',
    'name_parts',
    'street',
    'zipcode',
    'city',
    'country',
    'state',
    'vat_id',
    'vat_id_validated',
    'internal_reference',
    'last_modified',
  ],
  order_payments: [
    'id',
    'order_id',
    'local_id',
    'provider',
    'state',
    'amount',
    'created',
    'payment_date',
    'info',
  ],
  order_refunds: [
    'order_id',
    'local_id',
    'payment_id',
    'provider',
    'state',
    'source',
    'amount',
    'created',
    'execution_date',
    'comment',
    'info',
  ],
  checkins: [
    'position_id',
    'list_id',
    'datetime',
    'type',
    'successful',
    'error_reason',
    'gate_name',
    'device_name',
    'created',
  ],
} as const;

export type CopyTable = keyof typeof COPY_COLUMNS;

/** Whole seconds, as timestamps typed or synced from elsewhere usually are. */
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const money = (cents: number) => (cents / 100).toFixed(2);

const ACCESSIBILITY = [
  'Wheelchair access',
  'Step-free route, please',
  'Induction loop',
  'Seat near the exit',
];
const COMMENTS = ['Invoice requested by accounting', 'Called about group discount', 'Please check VAT ID'];
const GATES = ['North gate', 'South gate', 'Main hall'];

function person(random: Random, pool: LocalePool): Person {
  const first = random.pick(pool.firstNames);
  const last = random.pick(pool.lastNames);
  const domain = random.pick(['example.org', 'example.com', 'example.net']);
  return { pool, first, last, email: `${mailbox(first, last)}${random.int(1, 999)}@${domain}` };
}

function answerFor(
  random: Random,
  question: DemoQuestion,
  ctx: GeneratorContext,
  holder: Person,
): PlannedAnswer {
  const plain = (answer: string): PlannedAnswer => ({
    questionId: question.id,
    answer,
    fileKey: null,
    optionIds: [],
  });
  switch (question.type) {
    case 'S':
      return plain(random.pick(holder.pool.companies));
    case 'T':
      return plain(random.pick(ACCESSIBILITY));
    case 'N':
      return plain(String(random.int(0, 30)));
    case 'B':
      return plain(random.chance(0.6) ? 'True' : 'False');
    case 'C': {
      const option = random.pick(question.options);
      return { questionId: question.id, answer: option.text, fileKey: null, optionIds: [option.id] };
    }
    case 'M': {
      const chosen = question.options.filter(() => random.chance(0.35));
      const options = chosen.length ? chosen : [random.pick(question.options)];
      return {
        questionId: question.id,
        answer: options.map((o) => o.text).join(', '),
        fileKey: null,
        optionIds: options.map((o) => o.id),
      };
    }
    case 'D':
      return plain(iso(Date.UTC(random.int(1960, 2005), random.int(0, 11), random.int(1, 28))).slice(0, 10));
    case 'H':
      return plain(
        `${String(random.int(7, 11)).padStart(2, '0')}:${random.pick(['00', '15', '30', '45'])}:00`,
      );
    case 'W':
      return plain(iso(ctx.eventStart - random.int(2, 30) * 3_600_000).replace('.000Z', 'Z'));
    case 'EMAIL':
      return plain(`${mailbox(holder.first, holder.last)}@${random.pick(['corp.example', 'work.example'])}`);
    case 'TEL':
      return plain(`${holder.pool.phonePrefix} ${random.int(100, 999)} ${random.int(1000000, 9999999)}`);
    case 'CC':
      return plain(
        random.chance(0.8) ? holder.pool.country : random.pick(['AT', 'CH', 'BE', 'GB', 'IT', 'ES']),
      );
    case 'F': {
      const key = random.string(12, 'abcdefghijklmnopqrstuvwxyz0123456789');
      return { questionId: question.id, answer: `file:${key}`, fileKey: key, optionIds: [] };
    }
  }
}

/** How often each question is answered (required ones always). */
const ANSWER_RATES: Record<string, number> = {
  company: 0.3,
  accessibility: 0.04,
  experience: 0.2,
  newsletter: 0.35,
  meal: 1,
  topics: 0.3,
  birthdate: 0.3,
  arrival: 0.3,
  travel: 0.08,
  workemail: 0.5,
  emergency: 0.4,
  country: 0.3,
  studentid: 0,
};

function planPosition(
  random: Random,
  ctx: GeneratorContext,
  product: DemoProduct,
  buyer: Person,
  addonTo: number | null,
): PlannedPosition {
  const variation = product.variations.length
    ? product.key === 'conference'
      ? random.weighted([
          [product.variations[0]!, 70],
          [product.variations[1]!, 20],
          [product.variations[2]!, 10],
        ])
      : random.pick(product.variations)
    : null;
  const attendee = product.admission
    ? random.chance(0.6)
      ? buyer
      : person(random, random.weighted(ctx.pools))
    : null;
  const holder = attendee ?? buyer;
  const answers = product.questions
    .filter((q) =>
      random.chance(q.key === 'studentid' && variation?.key === 'student' ? 1 : (ANSWER_RATES[q.key] ?? 0)),
    )
    .map((q) => answerFor(random, q, ctx, holder));
  return {
    product,
    variationId: variation?.id ?? null,
    priceCents: variation?.priceCents ?? product.priceCents,
    canceled: false,
    attendee,
    attendeeEmail: attendee !== null && random.chance(0.6),
    address: attendee !== null && random.chance(0.15),
    company: attendee !== null && random.chance(0.2) ? random.pick(holder.pool.companies) : null,
    addonTo,
    answers,
    checkins: [],
  };
}

/**
 * Plans one batch of orders, deterministically from (seed, batch index): the same batch always gives the same
 * orders, whatever order the batches run in. Ids are filled in later, when they are allocated.
 */
export function planBatch(
  ctx: GeneratorContext,
  batch: number,
  firstIndex: number,
  count: number,
): PlannedBatch {
  const random = new Random(mixSeed(ctx.seed, batch));
  const { products } = ctx.catalog;
  const orders: PlannedOrder[] = [];
  const needs = { orders: count, positions: 0, answers: 0, payments: 0 };
  for (let i = 0; i < count; i++) {
    const buyer = person(random, random.weighted(ctx.pools));
    const status = random.weighted([
      ['p', 80],
      ['n', 8],
      ['e', 5],
      ['c', 7],
    ] as const);
    const size = random.weighted([
      [1, 20],
      [2, 30],
      [3, 30],
      [4, 20],
    ] as const);
    const positions: PlannedPosition[] = [
      planPosition(random, ctx, random.chance(0.7) ? products.conference : products.daypass, buyer, null),
    ];
    while (positions.length < size) {
      const addon = random.weighted([
        [null, 50],
        [products.workshop, 20],
        [products.shirt, 20],
        [products.dinner, 10],
      ] as const);
      if (addon === null)
        positions.push(
          planPosition(random, ctx, random.chance(0.8) ? products.conference : products.daypass, buyer, null),
        );
      else positions.push(planPosition(random, ctx, addon, buyer, addon.key === 'shirt' ? null : 1));
    }
    if (status === 'p' && positions.length > 1 && random.chance(0.03))
      positions[positions.length - 1]!.canceled = true;

    const datetime = ctx.eventStart - random.int(7 * DAY, 200 * DAY);
    const provider = random.weighted([
      ['banktransfer', 40],
      ['stripe', 35],
      ['paypal', 25],
    ] as const);
    const fees: PlannedOrder['fees'] = [];
    if (provider !== 'banktransfer' && random.chance(0.5))
      fees.push({ type: 'payment', description: '', cents: 250, taxRate: '19.00' });
    if (positions.some((p) => p.product.key === 'shirt') && random.chance(0.5))
      fees.push({ type: 'shipping', description: 'Shipping', cents: 490, taxRate: '19.00' });
    const paidAt =
      status === 'p' || (status === 'c' && random.chance(0.5)) ? datetime + random.int(0, 5 * DAY) : null;
    const refundedAt = status === 'c' && paidAt !== null ? paidAt + random.int(DAY, 20 * DAY) : null;

    if (status === 'p') {
      for (const position of positions) {
        if (!position.product.admission || position.canceled || !random.chance(0.45)) continue;
        const at = ctx.eventStart + random.int(0, 10 * 3_600_000);
        position.checkins.push({ at, type: 'entry', ok: true });
        if (random.chance(0.03))
          position.checkins.push({ at: at + random.int(60_000, 3_600_000), type: 'entry', ok: false });
        if (random.chance(0.1))
          position.checkins.push({ at: at + random.int(3_600_000, 5 * 3_600_000), type: 'exit', ok: true });
      }
    }
    needs.positions += positions.length;
    needs.answers += positions.reduce((sum, p) => sum + p.answers.length, 0);
    needs.payments += 1;
    orders.push({
      code: orderCode(ctx.codeOffset + firstIndex + i),
      status,
      buyer,
      datetime,
      provider,
      positions,
      fees,
      invoice: random.chance(0.4),
      business: random.chance(0.3),
      paidAt,
      refundedAt,
      extras: {
        secret: random.string(16, 'abcdefghijklmnopqrstuvwxyz0123456789'),
        phone: random.chance(0.7)
          ? `${buyer.pool.phonePrefix} ${random.int(100, 999)} ${random.int(1000000, 9999999)}`
          : null,
        comment: random.chance(0.03) ? random.pick(COMMENTS) : '',
        salesChannel: random.chance(0.92) ? 'web' : 'pretixpos',
        checkinAttention: random.chance(0.01),
        customerReference: random.chance(0.05) ? `PO-${random.int(10000, 99999)}` : null,
        positionSecrets: random.string(32 * positions.length, SECRET_ALPHABET),
        pseudonyms: random.string(10 * positions.length, CODE_ALPHABET),
        internalReference: random.chance(0.1) ? `REF-${random.int(1000, 9999)}` : '',
        vatNumber: String(random.int(100000000, 999999999)),
        pick: random.int(0, 1_000_000_000),
      },
    });
  }
  return { orders, needs };
}

function nameParts(p: Person): string {
  return JSON.stringify({ _scheme: 'given_family', given_name: p.first, family_name: p.last });
}

/** Serialises a planned batch into COPY text per table, with the allocated ids. */
export function serializeBatch(
  ctx: GeneratorContext,
  plan: PlannedBatch,
  ids: { orders: number[]; positions: number[]; answers: number[]; payments: number[] },
): { text: Record<CopyTable, string>; counts: BatchCounts } {
  const out: Record<CopyTable, string[]> = {
    orders: [],
    order_positions: [],
    question_answers: [],
    question_answer_options: [],
    order_fees: [],
    invoice_addresses: [],
    order_payments: [],
    order_refunds: [],
    checkins: [],
  };
  const counts = emptyCounts();
  let positionCursor = 0;
  let answerCursor = 0;
  plan.orders.forEach((order, orderIndex) => {
    const orderId = ids.orders[orderIndex]!;
    const x = order.extras;
    const positionIds: number[] = [];
    let totalCents = 0;
    order.positions.forEach((position, index) => {
      const id = ids.positions[positionCursor++]!;
      positionIds.push(id);
      if (!position.canceled) totalCents += position.priceCents;
      const attendee = position.attendee;
      const address = position.address && attendee;
      out.order_positions.push(
        [
          id,
          orderId,
          index + 1,
          position.product.id,
          position.variationId,
          money(position.priceCents),
          position.product.taxRate,
          money(includedTaxCents(position.priceCents, position.product.taxRate)),
          attendee ? `${attendee.first} ${attendee.last}` : null,
          attendee ? nameParts(attendee) : '{}',
          position.attendeeEmail && attendee ? attendee.email : null,
          position.company,
          address ? attendee.pool.streets[(x.pick + index * 7) % attendee.pool.streets.length]! : null,
          address ? attendee.pool.places[(x.pick + index * 11) % attendee.pool.places.length]!.zipcode : null,
          address ? attendee.pool.places[(x.pick + index * 11) % attendee.pool.places.length]!.city : null,
          address ? attendee.pool.country : null,
          null,
          x.positionSecrets.slice(index * 32, index * 32 + 32),
          x.pseudonyms.slice(index * 10, index * 10 + 10),
          position.addonTo === null ? null : positionIds[position.addonTo - 1]!,
          position.canceled,
        ]
          .map(v)
          .join('\t'),
      );
      for (const answer of position.answers) {
        const answerId = ids.answers[answerCursor++]!;
        out.question_answers.push(
          [answerId, id, answer.questionId, answer.answer, answer.fileKey].map(v).join('\t'),
        );
        for (const optionId of answer.optionIds) out.question_answer_options.push(`${answerId}\t${optionId}`);
      }
      for (const checkin of position.checkins) {
        out.checkins.push(
          [
            id,
            ctx.catalog.checkinListId,
            iso(checkin.at),
            checkin.type,
            checkin.ok,
            checkin.ok ? null : 'already_redeemed',
            GATES[(x.pick + index) % GATES.length]!,
            `Scanner ${((x.pick + index) % 7) + 1}`,
            iso(checkin.at),
          ]
            .map(v)
            .join('\t'),
        );
        counts.checkins++;
      }
      counts.answers += position.answers.length;
    });
    for (const fee of order.fees) {
      totalCents += fee.cents;
      out.order_fees.push(
        [
          orderId,
          fee.type,
          fee.description,
          money(fee.cents),
          fee.taxRate,
          money(includedTaxCents(fee.cents, fee.taxRate)),
          false,
        ]
          .map(v)
          .join('\t'),
      );
    }
    const lastModified = Math.max(order.datetime, order.paidAt ?? 0, order.refundedAt ?? 0);
    const buyer = order.buyer;
    out.orders.push(
      [
        orderId,
        ctx.eventId,
        order.code,
        order.status,
        false,
        x.secret,
        buyer.email,
        x.phone,
        buyer.pool.locale,
        iso(order.datetime),
        iso(order.datetime + 14 * DAY),
        money(totalCents),
        x.comment,
        x.salesChannel,
        x.checkinAttention,
        x.customerReference,
        order.provider,
        iso(lastModified),
      ]
        .map(v)
        .join('\t'),
    );
    if (order.invoice) {
      const place = buyer.pool.places[x.pick % buyer.pool.places.length]!;
      out.invoice_addresses.push(
        [
          orderId,
          order.business,
          order.business ? buyer.pool.companies[x.pick % buyer.pool.companies.length]! : '',
          `${buyer.first} ${buyer.last}`,
          nameParts(buyer),
          buyer.pool.streets[x.pick % buyer.pool.streets.length]!,
          place.zipcode,
          place.city,
          buyer.pool.country,
          '',
          order.business ? `${buyer.pool.country === 'US' ? 'EU' : buyer.pool.country}${x.vatNumber}` : '',
          false,
          x.internalReference,
          iso(order.datetime),
        ]
          .map(v)
          .join('\t'),
      );
      counts.invoice_addresses++;
    }
    const paymentId = ids.payments[orderIndex]!;
    const paymentState =
      order.paidAt !== null
        ? order.refundedAt !== null
          ? 'refunded'
          : 'confirmed'
        : order.status === 'n'
          ? 'created'
          : 'canceled';
    out.order_payments.push(
      [
        paymentId,
        orderId,
        1,
        order.provider,
        paymentState,
        money(totalCents),
        iso(order.datetime),
        order.paidAt === null ? null : iso(order.paidAt),
        order.provider === 'banktransfer' ? JSON.stringify({ reference: order.code }) : '{}',
      ]
        .map(v)
        .join('\t'),
    );
    counts.payments++;
    if (order.refundedAt !== null) {
      out.order_refunds.push(
        [
          orderId,
          1,
          paymentId,
          order.provider,
          'done',
          'admin',
          money(totalCents),
          iso(order.refundedAt),
          iso(order.refundedAt),
          '',
          '{}',
        ]
          .map(v)
          .join('\t'),
      );
      counts.refunds++;
    }
    counts.orders++;
    counts.positions += order.positions.length;
    counts.fees += order.fees.length;
  });
  const text = Object.fromEntries(
    Object.entries(out).map(([table, rows]) => [table, rows.length ? `${rows.join('\n')}\n` : '']),
  ) as Record<CopyTable, string>;
  return { text, counts };
}
