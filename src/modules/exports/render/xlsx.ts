import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import QueryStream from 'pg-query-stream';
import type { Column, Table } from '../exporters/define';
import { countRows, tableSql } from './sql';
import { connectionOf, type ProgressFn } from './stream';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Characters XML 1.0 forbids; exceljs would write them raw and Excel would refuse the file (pretix strips them). */
const XML_INVALID = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g; // eslint-disable-line no-control-regex -- these are the characters to strip
const ROWS_PER_BATCH = 1000;
const EXCEL_MAX_ROWS = 1_048_576;

export interface XlsxSheet {
  label: string;
  build(): Promise<Table> | Table;
}

type Converter = (value: unknown) => ExcelJS.CellValue;

function converterOf(column: Column): Converter {
  switch (column.type) {
    case 'datetime':
      // Local wall-clock time as a "UTC" Date: Excel dates have no time zone, exceljs converts via UTC.
      return (v) => (v === null ? null : new Date(`${v as string}Z`));
    case 'date':
      return (v) => (v === null ? null : new Date(`${v as string}T00:00:00Z`));
    case 'text':
    case 'boolean':
      return (v) => (v === null ? null : (v as string).replace(XML_INVALID, ''));
    default:
      return (v) => v as ExcelJS.CellValue;
  }
}

const NUMBER_FORMATS: Partial<Record<Column['type'], string>> = {
  datetime: 'yyyy-mm-dd hh:mm:ss',
  date: 'yyyy-mm-dd',
};

/** Worksheet titles: at most 31 characters and none of []:*?/\ (Excel's rules). */
function sheetTitle(label: string): string {
  return label.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);
}

const MAX_BACKLOG_BYTES = 1024 * 1024;

interface BufferedPipe {
  _writableState?: { length: number };
  once(event: 'drain', listener: () => void): void;
}

/**
 * Waits until the zip stream has taken what was committed. exceljs' worksheet stream (StreamBuf) writes into
 * the zip's entry stream without honouring its backpressure, so rows would pile up uncompressed in memory
 * (about 1 GB at a million rows) whenever the zip is slower than the rows come in. The entry stream is an
 * exceljs internal (`_stream.pipes`); without it, only the output's own backpressure applies.
 */
async function compressionCaughtUp(worksheet: ExcelJS.Worksheet, out: Writable): Promise<void> {
  const pipes = (worksheet as unknown as { _stream?: { pipes?: BufferedPipe[] } })._stream?.pipes ?? [];
  for (const pipe of pipes) {
    if ((pipe._writableState?.length ?? 0) > MAX_BACKLOG_BYTES)
      await new Promise<void>((resolve) => pipe.once('drain', resolve));
  }
  if (out.writableNeedDrain) await new Promise((resolve) => out.once('drain', resolve));
}

/**
 * Streams tables into one workbook with exceljs' streaming writer: rows come from a server-side cursor in
 * batches and each row is committed at once, so memory does not grow with the number of rows. Cells are typed
 * (numbers as numbers, dates as dates). Sheet i of n reports progress i/n … (i+1)/n, as pretix does.
 */
export async function writeXlsx(
  trx: Knex,
  sheets: XlsxSheet[],
  out: Writable,
  progress: ProgressFn,
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const connection = await connectionOf(trx);
  for (const [index, sheet] of sheets.entries()) {
    const table = await sheet.build();
    const total = Math.min(await countRows(trx, table), EXCEL_MAX_ROWS - 1);
    const worksheet = workbook.addWorksheet(sheetTitle(sheet.label));
    worksheet.columns = table.columns.map((column, i) => ({
      key: `c${i}`,
      width: Math.min(Math.max(column.header.length + 2, 10), 50),
    }));
    // One style object per column, shared by all its cells: exceljs caches style ids per object (a WeakMap),
    // while the per-cell copies it makes itself would each be rendered and looked up again (a quarter of
    // the time of a large export).
    const styles = table.columns.map((column) => {
      const numFmt = NUMBER_FORMATS[column.type];
      return numFmt ? { numFmt } : {};
    });
    worksheet.addRow(table.columns.map((column) => column.header)).commit();
    const converters = table.columns.map(converterOf);

    const cursor = connection.query(
      new QueryStream(tableSql(trx, table, 'typed'), [], { batchSize: ROWS_PER_BATCH, rowMode: 'array' }),
    );
    let rows = 0;
    for await (const row of cursor as AsyncIterable<unknown[]>) {
      // Excel cannot open more rows; the rest of the sheet is cut rather than producing a broken file.
      if (rows >= total) break;
      const added = worksheet.addRow(row.map((value, i) => converters[i]!(value)));
      for (let i = 0; i < styles.length; i++) added.getCell(i + 1).style = styles[i]!;
      added.commit();
      rows++;
      if (rows % ROWS_PER_BATCH === 0) {
        await progress((index + rows / Math.max(total, 1)) / sheets.length);
        await compressionCaughtUp(worksheet, out);
      }
    }
    worksheet.commit();
    await progress((index + 1) / sheets.length);
  }
  await workbook.commit();
}
