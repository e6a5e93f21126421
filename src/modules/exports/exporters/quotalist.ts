import { column } from './common';
import { defineExporter, type ExportContext, type Table } from './define';

/**
 * pretix's QuotaAvailability (services/quotas.py) in SQL, for the data tixport holds: a position or a
 * waiting-list entry counts for a quota when it has no variation and its product is in the quota, or when its
 * variation is in the quota. Positions count when not cancelled and their order is paid or pending; waiting-list
 * entries while they have no voucher. tixport holds no vouchers, carts or exit-releasing quotas, so those
 * counts are 0.
 *
 * Positions and entries are counted once, grouped by event, product and variation (`counted`); each quota then
 * sums the few groups it matches, instead of scanning the event's positions once per quota and count.
 */
const MATCHES_QUOTA = `g.event_id = q.event_id AND (
  (g.variation_id IS NULL AND g.item_id IN (SELECT qi.item_id FROM quota_items qi WHERE qi.quota_id = q.id))
  OR g.variation_id IN (SELECT qv.variation_id FROM quota_variations qv WHERE qv.quota_id = q.id))`;

function counted(eventIds: number[]): string {
  const ids = eventIds.length > 0 ? eventIds.map(Number).join(', ') : 'NULL';
  return `SELECT o.event_id, op.item_id, op.variation_id,
      count(*) FILTER (WHERE o.status = 'p') AS paid, count(*) FILTER (WHERE o.status = 'n') AS pending, 0 AS waiting
    FROM order_positions op JOIN orders o ON o.id = op.order_id
    WHERE o.event_id IN (${ids}) AND NOT op.canceled AND o.status IN ('p', 'n')
    GROUP BY o.event_id, op.item_id, op.variation_id
    UNION ALL
    SELECT w.event_id, w.item_id, w.variation_id, 0, 0, count(*)
    FROM waiting_list_entries w
    WHERE w.event_id IN (${ids}) AND w.voucher_code IS NULL
    GROUP BY w.event_id, w.item_id, w.variation_id`;
}

function quotas(ctx: ExportContext): Table {
  const query = ctx
    .db('quotas as q')
    // Materialized: inlined into the lateral join, Postgres would count again for every quota.
    .withMaterialized('counted', ctx.db.raw(counted(ctx.eventIds)))
    .whereIn('q.event_id', ctx.eventIds)
    .joinRaw(
      `CROSS JOIN LATERAL (SELECT coalesce(sum(g.paid), 0) AS paid, coalesce(sum(g.pending), 0) AS pending,
        coalesce(sum(g.waiting), 0) AS waiting
        FROM counted g WHERE ${MATCHES_QUOTA}) AS c`,
    )
    .orderBy([{ column: 'q.name' }, { column: 'q.id' }]);
  const infiniteOr = (value: string) => `CASE WHEN q.size IS NULL THEN 'Infinite' ELSE (${value})::text END`;
  return {
    query,
    columns: [
      column('Quota name', 'text', 'q.name'),
      // "Infinite" or a number, as pretix writes it; one column has one type, so both are text here.
      column('Total quota', 'text', infiniteOr('q.size')),
      column('Paid orders', 'integer', 'c.paid'),
      column('Pending orders', 'integer', 'c.pending'),
      column('Blocking vouchers', 'integer', '0'),
      column("Current user's carts", 'integer', '0'),
      column('Waiting list', 'integer', 'c.waiting'),
      column('Exited orders', 'integer', '0'),
      column(
        'Current availability',
        'text',
        infiniteOr('greatest(q.size - c.paid - c.pending - c.waiting, 0)'),
      ),
    ],
  };
}

export const quotalist = defineExporter({
  identifier: 'quotalist',
  verboseName: 'Quota availabilities',
  category: 'Product data',
  description: 'Download a spreadsheet of all quotas including their current availability.',
  scope: 'event',
  input: {},
  filename: (ctx) => `${ctx.slug}_quotas`,
  output: { type: 'list', sheet: quotas },
});
