import { PassThrough } from 'node:stream';
import { CrlfRows, writeCsv } from '../../src/modules/exports/render/csv';
import type { Table } from '../../src/modules/exports/exporters/define';
import type { TestContext } from '../support/app';
import { createExportsContext } from './support';

let ctx: TestContext;
beforeAll(() => {
  ctx = createExportsContext();
});
afterAll(async () => {
  await ctx.close();
});

/** Renders `table` as CSV in a read-only transaction, as the worker does, recording every progress report. */
async function renderCsv(table: (db: TestContext['runtime']['db']) => Table) {
  const fractions: number[] = [];
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await ctx.runtime.db.transaction(
    async (trx) => {
      await writeCsv(
        trx,
        table(trx),
        'default',
        out,
        async (fraction) => {
          fractions.push(fraction);
        },
        async () => undefined,
      );
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
  return { fractions, text: Buffer.concat(chunks).toString('utf8') };
}

const series =
  (rows: number) =>
  (db: TestContext['runtime']['db']): Table => ({
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

