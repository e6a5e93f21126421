import type { Writable } from 'node:stream';
import type { AnyExportContext, Exporter, SheetSpec } from '../exporters/define';
import { writeCsv } from './csv';
import type { ProgressFn } from './stream';
import { writeXlsx, XLSX_CONTENT_TYPE } from './xlsx';

export interface RenderedFile {
  extension: string;
  contentType: string;
}

/** What a `_format` value will produce (known before rendering, e.g. for the file name). */
export function fileTypeOf(exporter: Exporter, format: string | null): RenderedFile {
  const output = exporter.output;
  if (output.type === 'file') return { extension: output.extension, contentType: output.contentType };
  const choice = exporter.formats.get(format ?? '');
  if (!choice || choice.kind === 'xlsx') return { extension: 'xlsx', contentType: XLSX_CONTENT_TYPE };
  return { extension: 'csv', contentType: 'text/csv' };
}

/** The sheets of a sheet exporter; a list exporter's one sheet is named after its verbose name, as in pretix. */
function sheetsOf(exporter: Exporter): SheetSpec<AnyExportContext['input']>[] {
  const output = exporter.output;
  if (output.type === 'sheets') return output.sheets;
  if (output.type === 'list')
    return [{ name: 'default', label: exporter.verboseName.slice(0, 30), build: output.sheet }];
  return [];
}

/** Renders an export into `out` (which it does not end). Written once for every exporter. */
export async function renderExport(
  exporter: Exporter,
  ctx: AnyExportContext,
  out: Writable,
  progress: ProgressFn,
  cancelBackend: (pid: number) => Promise<void>,
): Promise<void> {
  const output = exporter.output;
  if (output.type === 'file') {
    await output.write(ctx, out);
    return;
  }
  const choice = exporter.formats.get(String(ctx.input._format));
  const sheets = sheetsOf(exporter);
  if (!choice || choice.kind !== 'csv') {
    await writeXlsx(
      ctx.db,
      sheets.map((sheet) => ({ label: sheet.label, build: () => sheet.build(ctx) })),
      out,
      progress,
    );
    return;
  }
  const sheet = choice.sheet === null ? sheets[0] : sheets.find((s) => s.name === choice.sheet);
  if (!sheet) throw new Error(`exporter ${exporter.identifier} has no sheet ${String(choice.sheet)}`);
  await writeCsv(ctx.db, await sheet.build(ctx), choice.dialect, out, progress, cancelBackend);
}
