import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Knex } from 'knex';
import { to as copyTo } from 'pg-copy-streams';
import type { CsvDialect, Table } from '../exporters/define';
import { tableSql, countRows } from './sql';
import { connectionOf, writeChunk, type ProgressFn } from './stream';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const QUOTE = 0x22;

/**
 * Turns COPY's row terminator "\n" into pretix's "\r\n" (Python's csv module) across a stream of chunks. A
 * newline inside a quoted cell is content and stays as it is; quotes are tracked from chunk to chunk (an
 * escaped quote "" toggles twice, so it leaves the state as it was).
 */
export class CrlfRows {
  private quoted = false;

  /** The chunk with CRLF row ends, and the offset just after each row end in it. */
  convert(chunk: Buffer): { data: Buffer; rowEnds: number[] } {
    const ends: number[] = [];
    let quoted = this.quoted;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) quoted = !quoted;
      else if (byte === NEWLINE && !quoted) ends.push(i);
    }
    this.quoted = quoted;
    const data = Buffer.allocUnsafe(chunk.length + ends.length);
    const rowEnds: number[] = [];
    let from = 0;
    let to = 0;
    for (const end of ends) {
      to += chunk.copy(data, to, from, end);
      data[to++] = CARRIAGE_RETURN;
      data[to++] = NEWLINE;
      from = end + 1;
      rowEnds.push(to);
    }
    chunk.copy(data, to, from);
    return { data, rowEnds };
  }
}

/**
 * pretix's CSV dialects: `default` quotes every non-numeric cell (Python's QUOTE_NONNUMERIC), `excel` quotes
 * only where needed, `semicolon` is `excel` with ';'. UTF-8 without BOM. Rows end with "\r\n", as Python's csv
 * writer ends them (COPY writes "\n"; CrlfRows converts).
 */
function dialectOptions(dialect: CsvDialect) {
  return { delimiter: dialect === 'semicolon' ? ';' : ',', quoteAll: dialect === 'default' };
}

export function csvHeader(table: Table, dialect: CsvDialect): string {
  const { delimiter, quoteAll } = dialectOptions(dialect);
  return stringify([table.columns.map((c) => c.header)], {
    delimiter,
    quoted: quoteAll,
    record_delimiter: 'windows',
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
  const crlf = new CrlfRows();
  let rows = 0;
  let nextReport = step;
  let stopped: unknown = null;
  try {
    for await (const chunk of copy as AsyncIterable<Buffer>) {
      if (stopped) continue; // draining after a cancel request; the COPY ends with an error shortly
      try {
        const { data, rowEnds } = crlf.convert(chunk);
        let start = 0;
        for (const end of rowEnds) {
          if (++rows < nextReport) continue;
          nextReport += step;
          await writeChunk(out, data.subarray(start, end));
          start = end;
          await progress(Math.min(rows / total, 1));
        }
        if (start < data.length) await writeChunk(out, data.subarray(start));
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
