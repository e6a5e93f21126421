import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { i18n } from './sql';
import { defineExporter, type ExportContext } from './define';

/**
 * pretix's JSONExporter (`<slug>_pretixdata.json`): the event with its categories, products and variations,
 * questions, orders (fees, positions, answers), quotas and (always empty: no event series) subevents.
 *
 * Written as Python's json.dumps with DjangoJSONEncoder writes it: ", " and ": " separators, non-ASCII
 * escaped, decimals as strings ("23.00"), datetimes in UTC ISO 8601 with "Z" (milliseconds only when
 * present). Orders are streamed from a cursor one by one, so memory does not grow with the event's size.
 *
 * Keys pretix writes for attributes tixport does not hold are present with null, so consumers find every key
 * (pretix itself writes "None" strings for a missing phone number or internal name; tixport writes null).
 * Cancelled positions and fees are left out, as pretix's default managers do.
 */

/** Python's json.dumps (ensure_ascii) for plain JSON values. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return asciiString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([key, item]) => `${asciiString(key)}: ${pythonJson(item)}`).join(', ')}}`;
}

function asciiString(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** SQL: a timestamptz as DjangoJSONEncoder writes it (UTC, "Z", milliseconds only when not zero). */
function iso(timestamptz: string): string {
  const utc = `(${timestamptz} AT TIME ZONE 'UTC')`;
  return `CASE WHEN ${timestamptz} IS NULL THEN NULL ELSE
    to_char(${utc}, 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN extract(microseconds FROM ${utc})::bigint % 1000000 = 0 THEN '' ELSE to_char(${utc}, '.MS') END
    || 'Z' END`;
}

const money = (value: string) => `(${value})::text`;

const CATEGORY = `json_build_object(
  'id', c.id, 'name', ${i18n('c.name')}, 'description', ${i18n('c.description')},
  'position', c.position, 'internal_name', NULL)`;

const VARIATION = `json_build_object(
  'id', v.id, 'active', v.active, 'price', ${money('coalesce(v.default_price, i.default_price)')},
  'name', ${i18n('v.value')}, 'description', NULL, 'position', v.position,
  'checkin_attention', NULL, 'checkin_text', NULL, 'require_approval', NULL, 'require_membership', NULL,
  'sales_channels', NULL, 'available_from', NULL, 'available_until', NULL, 'hide_without_voucher', NULL,
  'meta_data', '{}'::json)`;

const ITEM = `json_build_object(
  'id', i.id, 'position', i.position, 'name', ${i18n('i.name')}, 'internal_name', NULL,
  'category', i.category_id, 'price', ${money('i.default_price')}, 'tax_rate', ${money('i.tax_rate')},
  'tax_name', NULL, 'admission', i.admission, 'personalized', NULL, 'active', i.active,
  'sales_channels', NULL, 'description', ${i18n('i.description')},
  'available_from', NULL, 'available_until', NULL, 'require_voucher', NULL, 'hide_without_voucher', NULL,
  'allow_cancel', NULL, 'require_bundling', NULL, 'min_per_order', NULL, 'max_per_order', NULL,
  'checkin_attention', NULL, 'checkin_text', NULL, 'original_price', NULL, 'issue_giftcard', NULL,
  'meta_data', '{}'::json, 'require_membership', NULL,
  'variations', (SELECT coalesce(json_agg(${VARIATION} ORDER BY v.position, v.id), '[]'::json)
    FROM item_variations v WHERE v.item_id = i.id))`;

const QUESTION = `json_build_object(
  'id', q.id, 'identifier', q.identifier, 'required', q.required, 'question', ${i18n('q.question')},
  'position', q.position, 'hidden', NULL, 'ask_during_checkin', NULL,
  'help_text', ${i18n('q.help_text')}, 'type', q.type)`;

const FEES = `(SELECT coalesce(json_agg(json_build_object(
    'type', f.fee_type, 'description', f.description, 'value', ${money('f.value')}) ORDER BY f.id), '[]'::json)
  FROM order_fees f WHERE f.order_id = o.id AND NOT f.canceled)`;

const ANSWERS = `(SELECT coalesce(json_agg(json_build_object(
    'question', qa.question_id, 'answer', qa.answer) ORDER BY qa.id), '[]'::json)
  FROM question_answers qa WHERE qa.orderposition_id = op.id)`;

const POSITIONS = `(SELECT coalesce(json_agg(json_build_object(
    'id', op.id, 'positionid', op.positionid, 'item', op.item_id, 'variation', op.variation_id,
    'subevent', NULL, 'seat', NULL, 'price', ${money('op.price')}, 'tax_rate', ${money('op.tax_rate')},
    'tax_value', ${money('op.tax_value')}, 'attendee_name', op.attendee_name_cached,
    'attendee_email', op.attendee_email, 'company', op.company, 'street', op.street, 'zipcode', op.zipcode,
    'country', nullif(op.country, ''), 'state', op.state, 'secret', op.secret, 'addon_to', op.addon_to_id,
    'valid_from', ${iso('op.valid_from')}, 'valid_until', ${iso('op.valid_until')}, 'blocked', NULL,
    'answers', ${ANSWERS}) ORDER BY op.positionid, op.id), '[]'::json)
  FROM order_positions op WHERE op.order_id = o.id AND NOT op.canceled)`;

const ORDER = `json_build_object(
  'code', o.code, 'status', o.status, 'customer', NULL, 'testmode', o.testmode, 'user', o.email,
  'email', o.email, 'phone', o.phone, 'locale', o.locale, 'comment', o.comment, 'custom_followup_at', NULL,
  'require_approval', NULL, 'checkin_attention', o.checkin_attention, 'checkin_text', NULL,
  'sales_channel', o.sales_channel, 'expires', ${iso('o.expires')}, 'datetime', ${iso('o.datetime')},
  'fees', ${FEES}, 'total', ${money('o.total')}, 'positions', ${POSITIONS})`;

const QUOTA = `json_build_object(
  'id', q.id, 'size', q.size, 'subevent', NULL,
  'items', (SELECT coalesce(json_agg(qi.item_id ORDER BY qi.item_id), '[]'::json)
    FROM quota_items qi WHERE qi.quota_id = q.id),
  'variations', (SELECT coalesce(json_agg(qv.variation_id ORDER BY qv.variation_id), '[]'::json)
    FROM quota_variations qv WHERE qv.quota_id = q.id))`;

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text, 'utf8')) await once(out, 'drain');
}

type Doc = { doc: unknown };

async function writeEvent(ctx: ExportContext, out: Writable): Promise<void> {
  const { db } = ctx;
  const event = ctx.event;
  if (!event) throw new Error('the JSON export runs on one event');
  const docs = (rows: Doc[]) => rows.map((row) => pythonJson(row.doc)).join(', ');
  const name = (await db('events as e')
    .where('e.id', event.id)
    .first({ doc: db.raw(i18n('e.name')) })) as Doc | undefined;
  const categories = (await db('item_categories as c')
    .where('c.event_id', event.id)
    .orderBy([{ column: 'c.position' }, { column: 'c.id' }])
    .select({ doc: db.raw(CATEGORY) })) as Doc[];
  const items = (await db('items as i')
    .leftJoin('item_categories as c', 'c.id', 'i.category_id')
    .where('i.event_id', event.id)
    .orderByRaw('c.position NULLS LAST, c.id NULLS LAST, i.position, i.id')
    .select({ doc: db.raw(ITEM) })) as Doc[];
  const questions = (await db('questions as q')
    .where('q.event_id', event.id)
    .orderBy([{ column: 'q.position' }, { column: 'q.id' }])
    .select({ doc: db.raw(QUESTION) })) as Doc[];

  await write(
    out,
    `{"event": {"name": ${pythonJson(name?.doc ?? '')}, "slug": ${pythonJson(event.slug)}, ` +
      `"organizer": ${pythonJson({ name: ctx.organizer.name, slug: ctx.organizer.slug })}, "meta_data": {}, ` +
      `"categories": [${docs(categories)}], "items": [${docs(items)}], "questions": [${docs(questions)}], ` +
      `"orders": [`,
  );

  const orders = db('orders as o').where('o.event_id', event.id);
  const total = Number((await orders.clone().count({ n: '*' }).first())?.n ?? 0);
  const cursor = orders
    .clone()
    .orderBy([
      { column: 'o.datetime', order: 'desc' },
      { column: 'o.id', order: 'desc' },
    ])
    .select({ doc: db.raw(ORDER) })
    .stream() as AsyncIterable<Doc>;
  let written = 0;
  for await (const row of cursor) {
    await write(out, (written > 0 ? ', ' : '') + pythonJson(row.doc));
    written++;
    await ctx.progress(written / total);
  }

  const quotas = (await db('quotas as q')
    .where('q.event_id', event.id)
    .orderBy([{ column: 'q.name' }, { column: 'q.id' }])
    .select({ doc: db.raw(QUOTA) })) as Doc[];
  await write(out, `], "quotas": [${docs(quotas)}], "subevents": []}}`);
}

export const json = defineExporter({
  identifier: 'json',
  verboseName: 'Order data (JSON)',
  category: 'Order data',
  description:
    'Download a structured JSON representation of all orders. This might be useful for the import in ' +
    'third-party systems.',
  scope: 'event',
  input: {},
  filename: (ctx) => `${ctx.slug}_pretixdata`,
  output: { type: 'file', extension: 'json', contentType: 'application/json', write: writeEvent },
});
