import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import WorksheetWriter from 'exceljs/lib/stream/xlsx/worksheet-writer';
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
  // Money, rates and tax values: numbers with two decimals, as pretix writes them in CSV.
  decimal: '0.00',
};

/** Widths (in characters) that fit a column's formatted values; text columns are sized from sample rows. */
const TYPE_WIDTHS: Record<Column['type'], number> = {
  datetime: 19,
  date: 11,
  decimal: 10,
  integer: 8,
  boolean: 5,
  text: 8,
};
const MIN_WIDTH = 8;
const MAX_WIDTH = 50;
/** Room for the autofilter's drop-down button next to a header. */
const FILTER_BUTTON = 3;

function columnWidths(columns: Column[], sample: unknown[][]): number[] {
  return columns.map((column, i) => {
    let width = Math.max(column.header.length + FILTER_BUTTON, TYPE_WIDTHS[column.type]);
    if (column.type === 'text')
      for (const row of sample) width = Math.max(width, String(row[i] ?? '').length + 1);
    return Math.min(Math.max(Math.ceil(width), MIN_WIDTH), MAX_WIDTH);
  });
}

/** Excel's column name of a 1-based index: 1 → A, 27 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/**
 * exceljs' streaming writer leaves out `<dimension>` (it cannot know the size when it writes the sheet's opening),
 * so readers that trust it, as openpyxl's read-only mode does for max_row, see a sheet of one cell. tixport
 * counts the rows before it writes them, so it passes the range as `properties.dimension` and this writes it
 * where the schema puts it, right after `<sheetPr>`.
 */
const writeSheetProperties = WorksheetWriter.prototype._writeSheetProperties;
WorksheetWriter.prototype._writeSheetProperties = function (xmlBuf, properties, pageSetup) {
  writeSheetProperties.call(this, xmlBuf, properties, pageSetup);
  if (typeof properties.dimension === 'string') xmlBuf.addText(`<dimension ref="${properties.dimension}"/>`);
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

/** The first `count` items of `source`, and all of them (those first ones included) as one iterable. */
async function peek<T>(
  source: AsyncIterable<T>,
  count: number,
): Promise<{ sample: T[]; rows: AsyncIterable<T> }> {
  const iterator = source[Symbol.asyncIterator]();
  const sample: T[] = [];
  let next = await iterator.next();
  for (; !next.done && sample.length < count; next = await iterator.next()) sample.push(next.value);
  async function* rows(): AsyncIterable<T> {
    try {
      yield* sample;
      for (; !next.done; next = await iterator.next()) yield next.value;
    } finally {
      // A consumer that stops early (Excel's row limit) closes the cursor, as for-await would.
      await iterator.return?.();
    }
  }
  return { sample, rows: rows() };
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
    const lastColumn = columnName(Math.max(table.columns.length, 1));
    // What a user opens: the header row frozen, with an autofilter over the columns, the used range declared.
    const worksheet = workbook.addWorksheet(sheetTitle(sheet.label), {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
      properties: { dimension: `A1:${lastColumn}${total + 1}` } as Partial<ExcelJS.WorksheetProperties>,
    });
    // One style object per column, shared by all its cells: exceljs caches style ids per object (a WeakMap),
    // while the per-cell copies it makes itself would each be rendered and looked up again (a quarter of
    // the time of a large export).
    const styles = table.columns.map((column) => {
      const numFmt = NUMBER_FORMATS[column.type];
      return numFmt ? { numFmt } : {};
    });
    // Written at the sheet's end by the streaming writer, so it may be set after the sheet is opened.
    worksheet.autoFilter = `A1:${lastColumn}1`;
    const converters = table.columns.map(converterOf);

    const cursor = connection.query(
      new QueryStream(tableSql(trx, table, 'typed'), [], { batchSize: ROWS_PER_BATCH, rowMode: 'array' }),
    ) as AsyncIterable<unknown[]>;
    // The first batch is read before the header row, which fixes the column widths, so text columns fit it.
    const { sample, rows: all } = await peek(cursor, ROWS_PER_BATCH);
    worksheet.columns = columnWidths(table.columns, sample).map((width, i) => ({ key: `c${i}`, width }));
    const header = worksheet.addRow(table.columns.map((column) => column.header));
    header.font = { bold: true };
    header.commit();

    let rows = 0;
    for await (const row of all) {
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
