import { itemdata } from '../../../src/modules/exports/exporters/itemdata';
import { makeEvent, makeOrganizer } from '../../support/factories';
import { keyed, useExportHarness } from './support';

const database = useExportHarness();
let event: { id: number; slug: string };
let ticket: { id: number };
let shirt: { id: number };
let addon: { id: number };
let small: { id: number };
let large: { id: number };

const HEADERS = [
  'Product ID',
  'Variation ID',
  'Product category',
  'Internal name',
  'Item name (en)',
  'Variation (en)',
  'Active',
  'Sales channels',
  'Default price',
  'Free price input',
  'Sales tax',
  'Is an admission ticket',
  'Personalized ticket',
  'Generate tickets',
  'Waiting list',
  'Available from',
  'Available until',
  'This product can only be bought using a voucher.',
  'This product will only be shown if a voucher matching the product is redeemed.',
  'Buying this product requires approval',
  'Only sell this product as part of a bundle',
  'Allow product to be canceled or changed',
  'Minimum amount per order',
  'Maximum amount per order',
  'Requires special attention',
  'Check-in text',
  'Original price',
  'This product is a gift card',
  'Require a valid membership',
  'Hide without a valid membership',
];

beforeAll(async () => {
  const { db, seed } = database;
  const organizer = await makeOrganizer(db);
  event = await makeEvent(db, organizer.id);
  const other = await makeEvent(db, organizer.id);
  const tickets = await seed.category(event.id, { en: 'Tickets' }, { position: 1 });
  const merch = await seed.category(
    event.id,
    { en: 'Merch', de: 'Fanartikel' },
    { position: 2, is_addon: true },
  );
  shirt = await seed.item(
    event.id,
    { en: 'Shirt' },
    {
      category_id: merch.id,
      default_price: '20.00',
      admission: false,
      tax_rate: '7.00',
    },
  );
  small = await seed.variation(shirt.id, { en: 'S' }, { position: 1, default_price: '18.50' });
  large = await seed.variation(shirt.id, { en: 'L' }, { position: 2, active: false });
  ticket = await seed.item(
    event.id,
    { en: 'Ticket', de: 'Eintritt' },
    {
      category_id: tickets.id,
      default_price: '99.00',
      tax_rate: '19.00',
    },
  );
  addon = await seed.item(
    event.id,
    { de: 'Parken' },
    { default_price: '5.00', active: false, tax_rate: '0' },
  );
  await seed.item(other.id, { en: 'Elsewhere' });
});

describe('itemdata', () => {
  test('describes pretix inputs: only _format', () => {
    expect(itemdata.describe()).toMatchObject({
      identifier: 'itemdata',
      verbose_name: 'Product data',
      input_parameters: [{ name: '_format', required: true }],
    });
  });

  test('one row per variation or variation-less product, in category order, pretix flags', async () => {
    const result = await database.run(itemdata, { eventIds: [event.id] });
    expect(result.filename).toBe(`${event.slug}_products`);
    expect(result.headers).toEqual(HEADERS);
    const blanks = Object.fromEntries(
      [
        'Internal name',
        'Sales channels',
        'Free price input',
        'Personalized ticket',
        'Generate tickets',
        'Waiting list',
        'Available from',
        'Available until',
        'Minimum amount per order',
        'Maximum amount per order',
        'Check-in text',
        'Original price',
      ].map((h) => [h, null]),
    );
    const rows = keyed(result);
    expect(rows).toEqual([
      expect.objectContaining({
        ...blanks,
        'Product ID': ticket.id,
        'Variation ID': null,
        'Product category': 'Tickets',
        'Item name (en)': 'Ticket',
        'Variation (en)': '',
        Active: 'Yes',
        'Default price': '99.00',
        'Sales tax': 'incl. 19.00%',
        'Is an admission ticket': 'Yes',
      }),
      expect.objectContaining({
        'Product ID': shirt.id,
        'Variation ID': small.id,
        'Product category': 'Merch (Add-On products)',
        'Item name (en)': 'Shirt',
        'Variation (en)': 'S',
        Active: 'Yes',
        'Default price': '18.50',
        'Sales tax': 'incl. 7.00%',
        'Is an admission ticket': '',
      }),
      expect.objectContaining({
        'Product ID': shirt.id,
        'Variation ID': large.id,
        'Variation (en)': 'L',
        Active: '',
        'Default price': '20.00',
      }),
      expect.objectContaining({
        'Product ID': addon.id,
        'Product category': '',
        'Item name (en)': 'Parken',
        Active: '',
        'Default price': '5.00',
        'Sales tax': '',
      }),
    ]);
  });
});
