/**
 * `npx tsx bench/explain.ts <organizer> <event> <exporter> <sheet|-> [input JSON]`: EXPLAIN ANALYZE of one sheet's
 * CSV query as the worker runs it (same transaction settings), against DATABASE_URL. For checking that a sheet's
 * plan has no per-row subplans (EXPLAIN_ROWS=1 prints the rows instead, to compare two versions); not run by the
 * benchmark.
 */
import { createDb } from '../src/platform/db';
import type { AnyExportContext, Table } from '../src/modules/exports/exporters/define';
import { findExporter } from '../src/modules/exports/exporters/index';
import { tableSql } from '../src/modules/exports/render/sql';

async function main(): Promise<void> {
  const [organizerSlug, eventSlug, identifier, sheetName, inputJson] = process.argv.slice(2);
  const db = createDb(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tixport', 2);
  const exporter = findExporter('event', identifier!);
  if (!exporter || exporter.output.type === 'file') throw new Error(`no table exporter ${identifier}`);
  const organizer = await db('organizers').where('slug', organizerSlug).first();
  const event = await db('events').where({ organizer_id: organizer.id, slug: eventSlug }).first();
  const now = new Date();
  const given = JSON.parse(inputJson ?? '{}') as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  for (const [name, field] of exporter.fields)
    input[name] = field.resolve(given[name] ?? null, { timezone: event.timezone, now });
  await db.transaction(
    async (trx) => {
      await trx.raw("SELECT set_config('TimeZone', ?, true)", [event.timezone]);
      // As the export transaction does (exporter-producer.ts); EXPLAIN_JIT=1 keeps JIT on, to compare.
      if (process.env.EXPLAIN_JIT !== '1') await trx.raw('SET LOCAL jit = off');
      const ctx = {
        db: trx,
        level: 'event',
        organizer,
        event,
        events: [event],
        eventIds: [Number(event.id)],
        slug: event.slug,
        timezone: event.timezone,
        input,
        siteUrl: 'http://explain.test',
        now,
        progress: async () => undefined,
      } as unknown as AnyExportContext;
      const output = exporter.output;
      let table: Table;
      if (output.type === 'list') table = await output.sheet(ctx);
      else if (output.type === 'sheets')
        table = await output.sheets.find((s) => s.name === sheetName)!.build(ctx);
      else throw new Error('unreachable');
      if (process.env.EXPLAIN_ROWS === '1') {
        // The rows themselves, to compare two versions of a sheet's SQL.
        process.stdout.write(`${JSON.stringify(table.columns.map((c) => c.header))}\n`);
        const rows = await trx.raw(tableSql(trx, table, 'csv'));
        for (const row of rows.rows as object[])
          process.stdout.write(`${JSON.stringify(Object.values(row))}\n`);
        return;
      }
      const plan = await trx.raw(`EXPLAIN (ANALYZE, BUFFERS OFF) ${tableSql(trx, table, 'csv')}`);
      for (const row of plan.rows as { 'QUERY PLAN': string }[])
        process.stdout.write(`${row['QUERY PLAN']}\n`);
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  await db.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
