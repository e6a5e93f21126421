import { blank, column, EXPORT_LOCALE, yesOrBlank } from './common';
import { i18n } from './sql';
import { defineExporter, type ExportContext, type Table } from './define';

/**
 * pretix's ItemDataExporter: one row per variation, or per product without variations, in pretix's product
 * order (category position, category, position). Flags are "Yes" or empty, as pretix writes them.
 *
 * pretix writes one name column per event locale; tixport holds no event locales, so it writes pretix's
 * default locale list (English). Product attributes tixport does not hold (internal name, sales channels,
 * free price, personalisation, ticket generation, waiting list, availability window, voucher/approval/bundle
 * rules, order limits, check-in text, original price, gift cards, memberships) are empty cells; the columns
 * stay so files keep pretix's layout.
 */
function products(ctx: ExportContext): Table {
  const query = ctx
    .db('items as i')
    .leftJoin('item_categories as c', 'c.id', 'i.category_id')
    .leftJoin('item_variations as v', 'v.item_id', 'i.id')
    .whereIn('i.event_id', ctx.eventIds)
    .orderByRaw('c.position NULLS LAST, c.id NULLS LAST, i.position, i.id, v.position, v.id');
  return {
    query,
    columns: [
      column('Product ID', 'integer', 'i.id'),
      column('Variation ID', 'integer', 'v.id'),
      // str(category): its name, marked when it holds add-on products.
      column(
        'Product category',
        'text',
        `CASE WHEN c.id IS NULL THEN '' WHEN c.is_addon THEN ${i18n('c.name')} || ' (Add-On products)'
          ELSE ${i18n('c.name')} END`,
      ),
      blank('Internal name'),
      column(`Item name (${EXPORT_LOCALE})`, 'text', i18n('i.name')),
      column(`Variation (${EXPORT_LOCALE})`, 'text', i18n('v.value')),
      column('Active', 'text', yesOrBlank('i.active AND coalesce(v.active, true)')),
      blank('Sales channels'),
      column('Default price', 'decimal', 'coalesce(v.default_price, i.default_price)'),
      blank('Free price input'),
      // str(tax rule) is "incl. <rate>% <name>"; tixport holds the product's rate, not a named rule.
      column('Sales tax', 'text', "CASE WHEN i.tax_rate = 0 THEN '' ELSE 'incl. ' || i.tax_rate || '%' END"),
      column('Is an admission ticket', 'text', yesOrBlank('i.admission')),
      blank('Personalized ticket'),
      blank('Generate tickets'),
      blank('Waiting list'),
      blank('Available from', 'datetime'),
      blank('Available until', 'datetime'),
      blank('This product can only be bought using a voucher.'),
      blank('This product will only be shown if a voucher matching the product is redeemed.'),
      blank('Buying this product requires approval'),
      blank('Only sell this product as part of a bundle'),
      blank('Allow product to be canceled or changed'),
      blank('Minimum amount per order', 'integer'),
      blank('Maximum amount per order', 'integer'),
      blank('Requires special attention'),
      blank('Check-in text'),
      blank('Original price', 'decimal'),
      blank('This product is a gift card'),
      blank('Require a valid membership'),
      blank('Hide without a valid membership'),
    ],
  };
}

export const itemdata = defineExporter({
  identifier: 'itemdata',
  verboseName: 'Product data',
  category: 'Product data',
  description: 'Download a spreadsheet with details about all products and variations.',
  scope: 'event',
  input: {},
  filename: (ctx) => `${ctx.slug}_products`,
  output: { type: 'list', sheet: products },
});
