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
