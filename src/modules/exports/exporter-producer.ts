import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import { ExportError, type AnyExportContext, type ExportEvent, type Exporter } from './exporters/define';
import { findExporter } from './exporters/index';
import type { ExportRow } from './exports.repository';
import { fileTypeOf, renderExport } from './render/index';
import type { ProduceIo, ProducedFile, RunProducer } from './runs/producer';

export const NOT_PERMITTED_MESSAGE =
  'Export not found or you do not have sufficient permission to perform this export.';

interface ExporterProducerDeps {
  db: Db;
  siteUrl: string;
}

/**
 * The producer of an exporter's run: one read-only REPEATABLE READ snapshot, the exporter's context built in it,
 * rendered into the run's file. (An export that wrote nothing fails in the run engine, with pretix's "no data".)
 */
export function exporterProducer(exporter: Exporter, deps: ExporterProducerDeps): RunProducer {
  return {
    permission: exporter.permission,
    async produce(run: ExportRow, io: ProduceIo): Promise<ProducedFile> {
      let file: ProducedFile | undefined;
      await deps.db.transaction(
        async (trx) => {
          const ctx = await exportContext(trx, run, exporter, deps.siteUrl, io);
          const type = fileTypeOf(exporter, String(ctx.input._format ?? ''));
          file = {
            fileName: `${await exporter.filename(ctx)}.${type.extension}`,
            contentType: type.contentType,
          };
          await renderExport(exporter, ctx, io.out, ctx.progress, async (pid) => {
            await deps.db.raw('SELECT pg_cancel_backend(?)', [pid]);
          });
        },
        { isolationLevel: 'repeatable read', readOnly: true },
      );
      if (!file) throw new Error('the export transaction ended without a file name');
      return file;
    },
  };
}

/** The exporter registry as a producer lookup, for runs whose kind is an exporter's. */
export function exporterProducerOf(deps: ExporterProducerDeps): (run: ExportRow) => RunProducer | undefined {
  return (run) => {
    const exporter = findExporter(run.level, run.identifier);
    return exporter ? exporterProducer(exporter, deps) : undefined;
  };
}

/** Builds what the exporter sees, inside the run's read-only snapshot. */
async function exportContext(
  trx: Knex,
  run: ExportRow,
  exporter: Exporter,
  siteUrl: string,
  io: ProduceIo,
): Promise<AnyExportContext> {
  const organizer = await trx('organizers').where('id', run.organizer_id).first('id', 'slug', 'name');
  const events: ExportEvent[] = await trx('events')
    .whereIn('id', run.event_ids)
    .orderBy('slug')
    .select('id', 'slug', 'name', 'currency', 'timezone', 'date_from', 'date_to');
  if (!organizer) throw new ExportError(NOT_PERMITTED_MESSAGE);
  const event = run.level === 'event' ? (events[0] ?? null) : null;
  if (run.level === 'event' && !event) throw new ExportError(NOT_PERMITTED_MESSAGE);
  const timezone = event?.timezone ?? events[0]?.timezone ?? 'UTC';
  // Dates and times in SQL (::date, to_char) are then local to the exporter's time zone.
  await trx.raw("SELECT set_config('TimeZone', ?, true)", [timezone]);
  const now = new Date();
  const input: Record<string, unknown> = {};
  for (const [name, field] of exporter.fields)
    input[name] = field.resolve(run.input[name] ?? null, { timezone, now });
  return {
    db: trx,
    level: run.level,
    organizer: { id: Number(organizer.id), slug: organizer.slug, name: organizer.name },
    event,
    events,
    eventIds: events.map((e) => Number(e.id)),
    slug: event?.slug ?? organizer.slug,
    timezone,
    input: input as AnyExportContext['input'],
    siteUrl,
    now,
    progress: io.progress,
  };
}
