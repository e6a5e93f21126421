import { PassThrough } from 'node:stream';
import { CrlfRows, writeCsv } from '../../src/modules/exports/render/csv';
import { writeXlsx } from '../../src/modules/exports/render/xlsx';
import type { Table } from '../../src/modules/exports/exporters/define';
import type { TestContext } from '../support/app';
import { readXlsx, unzip } from './files';
import { createExportsContext } from './support';

let ctx: TestContext;
beforeAll(() => {
  ctx = createExportsContext();
});
afterAll(async () => {
  await ctx.close();
});

type Db = TestContext['runtime']['db'];

/** What a renderer writes into its stream inside a read-only snapshot, as the worker runs it. */
async function rendered(write: (trx: Db, out: PassThrough) => Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await ctx.runtime.db.transaction((trx) => write(trx, out), {
    isolationLevel: 'repeatable read',
    readOnly: true,
  });
  out.end();
  return Buffer.concat(chunks);
}

/** Renders `table` as CSV, recording every progress report. */
async function renderCsv(table: (db: Db) => Table) {
  const fractions: number[] = [];
  const file = await rendered((trx, out) =>
    writeCsv(
      trx,
      table(trx),
      'default',
      out,
      async (fraction) => void fractions.push(fraction),
      async () => undefined,
    ),
  );
  return { fractions, text: file.toString('utf8') };
}

const series =
  (rows: number) =>
  (db: Db): Table => ({
    query: db.from(db.raw(`generate_series(1, ${rows}) AS g(n)`)).orderBy('g.n'),
    columns: [
      { header: 'n', sql: 'g.n', type: 'integer' },
      { header: 'padding', sql: "repeat('x', 100)", type: 'text', safe: true },
    ],
  });

describe('CSV rendering', () => {
  test('reports progress from rows streamed against their count: from 0, in steps of about 1 %, to 1', async () => {
    const { fractions } = await renderCsv(series(20000));
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++)
      expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    // What the run engine writes (a report whenever a whole percent is passed) moves in steps of at most ~2 %.
    const percents = [...new Set(fractions.map((f) => Math.floor(f * 100)))];
    expect(percents.length).toBeGreaterThan(50);
    const steps = percents.slice(1).map((p, i) => p - percents[i]!);
    expect(Math.max(...steps)).toBeLessThanOrEqual(2);
  });

  test('rows end in CRLF as pretix writes them; a line break inside a cell stays as it is', async () => {
    const { text } = await renderCsv((db) => ({
      query: db.from(db.raw('generate_series(1, 3) AS g(n)')).orderBy('g.n'),
      columns: [
        { header: 'n', sql: 'g.n', type: 'integer' },
        { header: 'note', sql: `'line one' || chr(10) || 'say "hi"' || chr(10)`, type: 'text' },
      ],
    }));
    const row = (n: number) => `${n},"line one\nsay ""hi""\n"\r\n`;
    expect(text).toBe(`"n","note"\r\n${row(1)}${row(2)}${row(3)}`);
  });

  test('CrlfRows keeps track of quotes across chunk boundaries', () => {
    const rows = new CrlfRows();
    const parts = ['a,"b\n', 'c""', '\n"\n', 'd,e\n'].map((part) => rows.convert(Buffer.from(part)));
    expect(parts.map((p) => p.data.toString())).toEqual(['a,"b\n', 'c""', '\n"\r\n', 'd,e\r\n']);
    expect(parts.map((p) => p.rowEnds)).toEqual([[], [], [4], [5]]);
  });
});

describe('xlsx rendering', () => {
  let file: Buffer;
  beforeAll(async () => {
    const rows = (trx: Db): Table => ({
      query: trx.from(trx.raw('generate_series(1, 3) AS g(n)')).orderBy('g.n'),
      columns: [
        { header: 'Order code', sql: "'CODE' || g.n", type: 'text' },
        { header: 'Price', sql: '(g.n * 10.5)::numeric(13,2)', type: 'decimal' },
        { header: 'Order date', sql: "date '2030-01-14' + g.n", type: 'date' },
        { header: 'Valid from', sql: "timestamptz '2030-01-15 09:30:00+00'", type: 'datetime' },
        { header: 'A rather long comment column', sql: "repeat('x', 70)", type: 'text' },
      ],
    });
    file = await rendered((trx, out) =>
      writeXlsx(trx, [{ label: 'Rows', build: () => rows(trx) }], out, async () => undefined),
    );
  });

  test('declares its used range, so readers that trust <dimension> (openpyxl read-only) see every row', () => {
    const sheet = unzip(file).get('xl/worksheets/sheet1.xml')!;
    // Where the schema wants it: after sheetPr (if any), before sheetViews.
    expect(sheet).toContain('<dimension ref="A1:E4"/><sheetViews>');
  });

  test('freezes the header row and puts an autofilter on it', () => {
    const sheet = unzip(file).get('xl/worksheets/sheet1.xml')!;
    expect(sheet).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
    expect(sheet).toContain('<autoFilter ref="A1:E1"/>');
  });

  test('header cells are bold; money cells are numbers formatted 0.00, dates are date cells', () => {
    const xml = unzip(file);
    const sheet = xml.get('xl/worksheets/sheet1.xml')!;
    const styles = xml.get('xl/styles.xml')!;
    const cellXfs = [
      ...styles
        .split('<cellXfs')[1]!
        .split('</cellXfs>')[0]!
        .matchAll(/<xf [^>]*?\/?>/g),
    ].map((m) => m[0]);
    const fonts = [
      ...styles
        .split('<fonts')[1]!
        .split('</fonts>')[0]!
        .matchAll(/<font>.*?<\/font>|<font\/>/g),
    ].map((m) => m[0]);
    // Excel's built-in format 2 is 0.00; custom formats are declared in styles.xml.
    const numFmts: Record<string, string> = Object.fromEntries(
      [...styles.matchAll(/<numFmt numFmtId="(\d+)" formatCode="([^"]+)"\/>/g)].map((m) => [m[1], m[2]]),
    );
    const styleOf = (ref: string) => {
      const cell = new RegExp(`<c r="${ref}"(?: s="(\\d+)")?(?: t="(\\w+)")?>`).exec(sheet)!;
      const xf = cellXfs[Number(cell[1] ?? 0)]!;
      return {
        type: cell[2] ?? 'n',
        font: fonts[Number(/fontId="(\d+)"/.exec(xf)?.[1] ?? 0)]!,
        format: { '2': '0.00', ...numFmts }[/numFmtId="(\d+)"/.exec(xf)?.[1] ?? '0'],
      };
    };
    expect(styleOf('A1').font).toContain('<b/>');
    expect(styleOf('A2').font).not.toContain('<b/>');
    expect(styleOf('B2')).toMatchObject({ type: 'n', format: '0.00' });
    expect(styleOf('C2')).toMatchObject({ type: 'n', format: 'yyyy-mm-dd' });
    expect(styleOf('D2')).toMatchObject({ type: 'n', format: 'yyyy-mm-dd hh:mm:ss' });
  });

  test('columns are wide enough for their headers and sampled values, up to a limit', () => {
    const sheet = unzip(file).get('xl/worksheets/sheet1.xml')!;
    const widths = [...sheet.matchAll(/<col [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(5);
    expect(widths[0]).toBeGreaterThanOrEqual('Order code'.length);
    expect(widths[2]).toBeGreaterThanOrEqual('2030-01-15'.length);
    expect(widths[3]).toBeGreaterThanOrEqual('2030-01-15 10:30:00'.length);
    expect(widths[4]).toBe(50);
  });

  test('the values read back typed', async () => {
    const rows = (await readXlsx(file)).get('Rows')!;
    expect(rows[1]).toEqual([
      'CODE1',
      10.5,
      new Date(Date.UTC(2030, 0, 15)),
      new Date(Date.UTC(2030, 0, 15, 9, 30)),
      'x'.repeat(70),
    ]);
  });
});
