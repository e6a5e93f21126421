import { inflateRawSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

export type Cell = string | number | boolean | Date | null;

/** Every worksheet of an xlsx file as rows of plain cell values (row 1 = headers). */
export async function readXlsx(buffer: Buffer): Promise<Map<string, Cell[][]>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  const sheets = new Map<string, Cell[][]>();
  workbook.eachSheet((sheet) => {
    const rows: Cell[][] = [];
    const width = sheet.getRow(1).cellCount;
    sheet.eachRow({ includeEmpty: true }, (row) => {
      const cells: Cell[] = [];
      for (let i = 1; i <= width; i++) {
        const value = row.getCell(i).value;
        cells.push(value === undefined ? null : (value as Cell));
      }
      rows.push(cells);
    });
    sheets.set(sheet.name, rows);
  });
  return sheets;
}

export function readCsv(buffer: Buffer, delimiter = ','): string[][] {
  return parse(buffer.toString('utf8'), { delimiter, relax_column_count: false }) as string[][];
}

/** Rows as objects keyed by the header row. */
export function records<T extends Cell | string>(rows: T[][]): Record<string, T>[] {
  const [header, ...body] = rows;
  return body.map((row) => Object.fromEntries(header!.map((name, i) => [String(name), row[i]!])));
}

/**
 * The entries of a zip file (an xlsx) by name, read through its central directory (exceljs streams entries,
 * so only the directory holds their sizes) and inflated with zlib: enough to check the XML a spreadsheet
 * application reads.
 */
export function unzip(buffer: Buffer): Map<string, string> {
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip file');
  const entries = new Map<string, string>();
  let at = buffer.readUInt32LE(end + 16);
  for (let i = buffer.readUInt16LE(end + 10); i > 0; i--) {
    const method = buffer.readUInt16LE(at + 10);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    const dataStart = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(dataStart, dataStart + size);
    entries.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
