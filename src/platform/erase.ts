import type { Knex } from 'knex';

type Executor = Knex | Knex.Transaction;

/** pretix's replacement for a shredded text that may not be empty. */
export const SHREDDED = '█';
/** pretix's marker for name parts that were shredded. */
export const SHREDDED_NAME_PARTS = '{"_shredded": true}';

/** What an erasure changed, or with `dryRun` would change: rows written, field values replaced, rows deleted. */
export interface ErasureCount {
  rows: number;
  fields: number;
  deleted: number;
}

export const NO_ERASURE: ErasureCount = Object.freeze({ rows: 0, fields: 0, deleted: 0 });

export function addErasures(...counts: ErasureCount[]): ErasureCount {
  return counts.reduce(
    (sum, count) => ({
      rows: sum.rows + count.rows,
      fields: sum.fields + count.fields,
      deleted: sum.deleted + count.deleted,
    }),
    { ...NO_ERASURE },
  );
}

/** A replacement value: SQL NULL, a text, or an SQL expression (which may read the row's own columns). */
export type Replacement = null | string | Knex.Raw;

export interface ReplaceColumns {
  table: string;
  /** The primary key column; `keys` selects values of it. */
  key?: string;
  keys: Knex.QueryBuilder;
  set: Record<string, Replacement>;
}

function valueOf(db: Executor, value: Replacement): Knex.Raw {
  if (value === null) return db.raw('NULL');
  if (typeof value === 'string') return db.raw('?', [value]);
  return value;
}

/**
 * Replaces columns of the selected rows, counting per row how many values actually change (IS DISTINCT FROM),
 * and writes only rows with at least one change. The dry run counts with the very same expressions, so what it
 * reports is what the erasure then does. Identifiers are the callers' constants, never user input.
 */
export async function replaceColumns(
  db: Executor,
  spec: ReplaceColumns,
  options: { dryRun: boolean },
): Promise<ErasureCount> {
  const key = spec.key ?? 'id';
  const columns = Object.entries(spec.set).map(([column, value]) => ({ column, value: valueOf(db, value) }));
  const changes = columns.map(({ column, value }) => db.raw('(?? IS DISTINCT FROM ?)::int', [column, value]));
  const target = db.raw(
    `SELECT ?? AS shred_key, (${changes.map(() => '?').join(' + ')}) AS shred_fields FROM ?? WHERE ?? IN ?`,
    [key, ...changes, spec.table, key, spec.keys],
  );
  const write = options.dryRun
    ? db.raw('SELECT shred_fields FROM target WHERE shred_fields > 0')
    : db.raw(
        `UPDATE ?? SET ${columns.map(() => '?? = ?').join(', ')} FROM target
         WHERE ??.?? = target.shred_key AND target.shred_fields > 0 RETURNING target.shred_fields`,
        [spec.table, ...columns.flatMap(({ column, value }) => [column, value]), spec.table, key],
      );
  const result = await db.raw(
    `WITH target AS (?), written AS (?)
     SELECT count(*)::int AS rows, coalesce(sum(shred_fields), 0)::int AS fields FROM written`,
    [target, write],
  );
  const row = (result as { rows: { rows: number; fields: number }[] }).rows[0]!;
  return { rows: row.rows, fields: row.fields, deleted: 0 };
}

/** Deletes the selected rows (or, with `dryRun`, counts them). */
export async function deleteRows(
  db: Executor,
  spec: { table: string; key?: string; keys: Knex.QueryBuilder },
  options: { dryRun: boolean },
): Promise<ErasureCount> {
  const key = spec.key ?? 'id';
  const result = options.dryRun
    ? await db.raw('SELECT count(*)::int AS deleted FROM ?? WHERE ?? IN ?', [spec.table, key, spec.keys])
    : await db.raw(
        'WITH gone AS (DELETE FROM ?? WHERE ?? IN ? RETURNING 1) SELECT count(*)::int AS deleted FROM gone',
        [spec.table, key, spec.keys],
      );
  return { ...NO_ERASURE, deleted: (result as { rows: { deleted: number }[] }).rows[0]!.deleted };
}
