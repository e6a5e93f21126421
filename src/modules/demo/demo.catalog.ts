import type { Knex } from 'knex';
import type { QuestionType } from '../questions/questions.schemas';

/** A product as the generator sees it: ids, prices in cents and the questions asked for it. */
export interface DemoProduct {
  key: ProductKey;
  id: number;
  priceCents: number;
  taxRate: string;
  admission: boolean;
  variations: { id: number; priceCents: number; key: string }[];
  questions: DemoQuestion[];
}

export interface DemoQuestion {
  id: number;
  type: QuestionType;
  key: string;
  options: { id: number; text: string }[];
}

export interface DemoCatalog {
  products: Record<ProductKey, DemoProduct>;
  checkinListId: number;
  questionCount: number;
  quotaCount: number;
}

type ProductKey = 'conference' | 'daypass' | 'workshop' | 'shirt' | 'dinner';

const PRODUCTS: {
  key: ProductKey;
  category: string;
  name: Record<string, string>;
  price: string;
  taxRate: string;
  admission: boolean;
  variations: { key: string; value: Record<string, string>; price: string | null }[];
}[] = [
  {
    key: 'conference',
    category: 'tickets',
    name: { en: 'Conference ticket', de: 'Konferenzticket' },
    price: '199.00',
    taxRate: '19.00',
    admission: true,
    variations: [
      { key: 'regular', value: { en: 'Regular', de: 'Regulär' }, price: null },
      { key: 'student', value: { en: 'Student', de: 'Studierende' }, price: '99.00' },
      { key: 'business', value: { en: 'Business', de: 'Business' }, price: '399.00' },
    ],
  },
  {
    key: 'daypass',
    category: 'tickets',
    name: { en: 'Day pass', de: 'Tagesticket' },
    price: '89.00',
    taxRate: '19.00',
    admission: true,
    variations: [
      { key: 'day1', value: { en: 'Day 1', de: 'Tag 1' }, price: null },
      { key: 'day2', value: { en: 'Day 2', de: 'Tag 2' }, price: null },
    ],
  },
  {
    key: 'workshop',
    category: 'workshops',
    name: { en: 'Workshop', de: 'Workshop' },
    price: '49.00',
    taxRate: '19.00',
    admission: false,
    variations: [],
  },
  {
    key: 'shirt',
    category: 'merch',
    name: { en: 'T-shirt', de: 'T-Shirt' },
    price: '25.00',
    taxRate: '19.00',
    admission: false,
    variations: ['S', 'M', 'L', 'XL'].map((size) => ({ key: size, value: { en: size }, price: null })),
  },
  {
    key: 'dinner',
    category: 'workshops',
    name: { en: 'Conference dinner', de: 'Konferenzdinner' },
    price: '65.00',
    taxRate: '7.00',
    admission: false,
    variations: [],
  },
];

/** One question of every pretix type, with the products it is asked for. */
const QUESTIONS: {
  key: string;
  type: QuestionType;
  question: Record<string, string>;
  required: boolean;
  products: ProductKey[];
  options?: string[];
}[] = [
  {
    key: 'company',
    type: 'S',
    question: { en: 'Company', de: 'Firma' },
    required: false,
    products: ['conference', 'daypass'],
  },
  {
    key: 'accessibility',
    type: 'T',
    question: { en: 'Accessibility needs' },
    required: false,
    products: ['conference'],
  },
  {
    key: 'experience',
    type: 'N',
    question: { en: 'Years of experience' },
    required: false,
    products: ['conference'],
  },
  {
    key: 'newsletter',
    type: 'B',
    question: { en: 'Subscribe to the newsletter?' },
    required: false,
    products: ['conference', 'daypass'],
  },
  {
    key: 'meal',
    type: 'C',
    question: { en: 'Meal preference' },
    required: true,
    products: ['dinner'],
    options: ['Vegan', 'Vegetarian', 'Omnivore'],
  },
  {
    key: 'topics',
    type: 'M',
    question: { en: 'Topics of interest' },
    required: false,
    products: ['conference'],
    options: ['Web', 'Data', 'Security', 'DevOps', 'Design'],
  },
  { key: 'birthdate', type: 'D', question: { en: 'Date of birth' }, required: false, products: ['daypass'] },
  {
    key: 'arrival',
    type: 'H',
    question: { en: 'Expected arrival time' },
    required: false,
    products: ['daypass'],
  },
  {
    key: 'travel',
    type: 'W',
    question: { en: 'Arrival by train or plane at' },
    required: false,
    products: ['conference'],
  },
  {
    key: 'workemail',
    type: 'EMAIL',
    question: { en: 'Work email' },
    required: false,
    products: ['workshop'],
  },
  {
    key: 'emergency',
    type: 'TEL',
    question: { en: 'Emergency phone' },
    required: false,
    products: ['workshop'],
  },
  {
    key: 'country',
    type: 'CC',
    question: { en: 'Country of residence' },
    required: false,
    products: ['conference'],
  },
  {
    key: 'studentid',
    type: 'F',
    question: { en: 'Student ID (upload)' },
    required: false,
    products: ['conference'],
  },
];

const json = JSON.stringify;

async function insertId(trx: Knex.Transaction, table: string, row: Record<string, unknown>): Promise<number> {
  const [inserted] = await trx(table).insert(row).returning('id');
  return (inserted as { id: number }).id;
}

/**
 * Creates the demo catalog in an event: categories, products with variations, one question of every type,
 * quotas sized for `orders` (the dinner deliberately too small, so it sells out and has a waiting list) and a
 * check-in list. Small, so plain inserts.
 */
export async function createCatalog(
  trx: Knex.Transaction,
  eventId: number,
  orders: number,
): Promise<DemoCatalog> {
  const categories: Record<string, number> = {};
  for (const [position, [key, name, isAddon]] of (
    [
      ['tickets', 'Tickets', false],
      ['workshops', 'Workshops & dinner', true],
      ['merch', 'Merchandise', false],
    ] as const
  ).entries()) {
    categories[key] = await insertId(trx, 'item_categories', {
      event_id: eventId,
      name: json({ en: name }),
      position,
      is_addon: isAddon,
    });
  }

  const products = {} as Record<ProductKey, DemoProduct>;
  for (const [position, spec] of PRODUCTS.entries()) {
    const id = await insertId(trx, 'items', {
      event_id: eventId,
      category_id: categories[spec.category],
      name: json(spec.name),
      default_price: spec.price,
      tax_rate: spec.taxRate,
      admission: spec.admission,
      position,
    });
    const variations = [];
    for (const [index, variation] of spec.variations.entries()) {
      const variationId = await insertId(trx, 'item_variations', {
        item_id: id,
        value: json(variation.value),
        default_price: variation.price,
        position: index,
      });
      variations.push({
        id: variationId,
        key: variation.key,
        priceCents: Math.round(Number(variation.price ?? spec.price) * 100),
      });
    }
    products[spec.key] = {
      key: spec.key,
      id,
      priceCents: Math.round(Number(spec.price) * 100),
      taxRate: spec.taxRate,
      admission: spec.admission,
      variations,
      questions: [],
    };
  }

  for (const [position, spec] of QUESTIONS.entries()) {
    const id = await insertId(trx, 'questions', {
      event_id: eventId,
      question: json(spec.question),
      identifier: spec.key.toUpperCase(),
      type: spec.type,
      required: spec.required,
      position,
    });
    await trx('question_items').insert(
      spec.products.map((key) => ({ question_id: id, item_id: products[key].id })),
    );
    const options = [];
    for (const [index, text] of (spec.options ?? []).entries()) {
      const optionId = await insertId(trx, 'question_options', {
        question_id: id,
        identifier: `${spec.key.toUpperCase()}-${index + 1}`,
        answer: json({ en: text }),
        position: index,
      });
      options.push({ id: optionId, text });
    }
    for (const key of spec.products)
      products[key].questions.push({ id, type: spec.type, key: spec.key, options });
  }

  const quotas: [string, number | null, ProductKey[]][] = [
    ['Conference', Math.ceil(orders * 1.2) + 10, ['conference']],
    ['Day passes', Math.ceil(orders * 0.6) + 10, ['daypass']],
    ['Workshops', Math.ceil(orders * 0.8) + 10, ['workshop']],
    ['T-shirts', null, ['shirt']],
    ['Dinner', Math.ceil(orders * 0.1) + 1, ['dinner']],
  ];
  for (const [name, size, keys] of quotas) {
    const quotaId = await insertId(trx, 'quotas', { event_id: eventId, name, size });
    await trx('quota_items').insert(keys.map((key) => ({ quota_id: quotaId, item_id: products[key].id })));
    const variations = keys.flatMap((key) => products[key].variations);
    if (variations.length)
      await trx('quota_variations').insert(
        variations.map((v) => ({ quota_id: quotaId, variation_id: v.id })),
      );
  }

  const checkinListId = await insertId(trx, 'checkin_lists', { event_id: eventId, name: 'Main entrance' });
  const workshopListId = await insertId(trx, 'checkin_lists', {
    event_id: eventId,
    name: 'Workshop rooms',
    all_products: false,
    include_pending: true,
  });
  await trx('checkin_list_items').insert({ list_id: workshopListId, item_id: products.workshop.id });
  return { products, checkinListId, questionCount: QUESTIONS.length, quotaCount: quotas.length };
}
