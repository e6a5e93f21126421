import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Knex } from 'knex';
import { to as copyTo } from 'pg-copy-streams';
import type { CsvDialect, Table } from '../exporters/define';
import { tableSql, countRows } from './sql';
import { connectionOf, writeChunk, type ProgressFn } from './stream';

const NEWLINE = 0x0a;

/**
 * pretix's CSV dialects: `default` quotes every non-numeric cell (Python's QUOTE_NONNUMERIC), `excel` quotes
 * only where needed, `semicolon` is `excel` with ';'. UTF-8 without BOM. Rows end with "\n" (Postgres' COPY
 * row terminator; pretix's Python writer uses "\r\n" — every CSV reader, Excel included, accepts both).
 */
function dialectOptions(dialect: CsvDialect) {
  return { delimiter: dialect === 'semicolon' ? ';' : ',', quoteAll: dialect === 'default' };
}

export function csvHeader(table: Table, dialect: CsvDialect): string {
  const { delimiter, quoteAll } = dialectOptions(dialect);
  return stringify([table.columns.map((c) => c.header)], {
    delimiter,
    quoted: quoteAll,
    record_delimiter: 'unix',
  });
}

/**
 * Renders one table as CSV with Postgres' COPY … TO STDOUT: Postgres formats, quotes and escapes every cell,
 * tixport only forwards the bytes. This is what keeps a CSV export of a million rows close to a plain COPY.
 */
export async function writeCsv(
  trx: Knex,
  table: Table,
  dialect: CsvDialect,
  out: Writable,
  progress: ProgressFn,
  cancelBackend: (pid: number) => Promise<void>,
): Promise<void> {
  const { delimiter, quoteAll } = dialectOptions(dialect);
  const total = await countRows(trx, table);
  // From now on the run shows a percentage (0 until Postgres has sorted the rows and sends the first ones).
  await progress(0);
  await writeChunk(out, csvHeader(table, dialect));

  const select = tableSql(trx, table, quoteAll ? 'csv' : 'csv-minimal');
  const forceQuote = table.columns.flatMap((column, i) => (column.type === 'integer' ? [] : [`c${i}`]));
  const options = [
    'FORMAT csv',
    `DELIMITER '${delimiter}'`,
    ...(quoteAll && forceQuote.length > 0 ? [`FORCE_QUOTE (${forceQuote.join(', ')})`] : []),
  ];
  const connection = await connectionOf(trx);
  const copy = connection.query(copyTo(`COPY (${select}) TO STDOUT WITH (${options.join(', ')})`));

  // A COPY chunk holds a few hundred rows, several percent of a small export: chunks are split at the row
  // that completes each percent, so progress moves in ~1 % steps whatever the size.
  const step = Math.max(Math.ceil(total / 100), 1);
  let rows = 0;
  let nextReport = step;
  let stopped: unknown = null;
  try {
    for await (const chunk of copy as AsyncIterable<Buffer>) {
      if (stopped) continue; // draining after a cancel request; the COPY ends with an error shortly
      try {
        let start = 0;
        // Counting newlines over-counts cells with line breaks a little; progress is an estimate anyway.
        for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
          if (++rows < nextReport) continue;
          nextReport += step;
          await writeChunk(out, chunk.subarray(start, at + 1));
          start = at + 1;
          await progress(Math.min(rows / total, 1));
        }
        if (start < chunk.length) await writeChunk(out, chunk.subarray(start));
      } catch (error) {
        stopped = error;
        // Stop the server-side COPY; the connection then returns to normal and the transaction can roll back.
        const pid = (connection as unknown as { processID: number }).processID;
        await cancelBackend(pid).catch(() => undefined);
      }
    }
  } catch (error) {
    if (!stopped) throw error;
  }
  if (stopped) throw stopped;
  await progress(1);
}
