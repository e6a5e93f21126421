/**
 * The exporter contract. An exporter is one file under exporters/ that calls defineExporter(...) and is listed
 * once in exporters/index.ts. Everything else (input validation in pretix's shapes, the job, progress,
 * rendering to xlsx and CSV dialects, formula-injection escaping, storage, downloads) is written once, in the
 * pipeline, for every exporter.
 *
 * How to write an exporter
 * ------------------------
 * 1. Pick pretix's identifier, verbose name, filename and inputs (research/pretix-exports.md §4.4). The
 *    identifier is part of the API and is never renamed.
 * 2. Declare inputs with the builders from ./inputs (boolean, choice, multipleChoice, dateFrame,
 *    modelChoice, modelMultipleChoice) in pretix's order. `_format` is added for sheet exporters, and
 *    `all_events` / `events` are put first for organizer-level (multi-event) exporters; do not declare them.
 *    Defaults are applied server-side; date frames arrive resolved in the exporter's time zone.
 * 3. Describe the output:
 *    - `{ type: 'list', sheet }` for one table (formats xlsx, default, csv-excel, semicolon);
 *    - `{ type: 'sheets', sheets: [...] }` for several tables (xlsx with all sheets, `<sheet>:<dialect>`);
 *    - `{ type: 'file', … write(ctx, out) }` for anything else (JSON, plain text), streamed into `out`.
 *    A table is SQL, not rows: a knex query with the FROM/JOIN/WHERE/ORDER BY (always restricted to
 *    `ctx.eventIds`, never select()ed) and typed columns whose `sql` is an expression over that query. The
 *    pipeline renders CSV with Postgres' own COPY and xlsx from a cursor, so memory stays flat and
 *    formatting, null handling and formula escaping are identical for every exporter. Expressions run inside
 *    one read-only REPEATABLE READ transaction whose session TimeZone is `ctx.timezone`, so `x::date` and
 *    `to_char(x, 'HH24:MI:SS')` already give local dates and times. ./sql.ts has shared fragments (i18n
 *    names, order status labels, payment providers, date-frame filters, order links); keep bindings to ids,
 *    dates and validated strings, since the SQL is inlined for COPY.
 * 4. Throw `ExportError` with a user-facing message for expected failures (410 with that message); anything
 *    else becomes "Internal error" with the stack in the log. A 'file' exporter that writes nothing fails
 *    with pretix's "Your export did not contain any data.".
 * 5. Add a test under test/exports/ that runs it through the API and parses the file back.
 *
 * ```ts
 * export const mailaddrsEvent = defineExporter({
 *   identifier: 'mailaddrs', verboseName: 'Email addresses (text file)', scope: 'event',
 *   input: { status: multipleChoice({ label: 'Filter by status', choices: STATUS, required: true }) },
 *   filename: (ctx) => `${ctx.slug}_pretixemails`,
 *   output: { type: 'file', extension: 'txt', contentType: 'text/plain', write: async (ctx, out) => { … } },
 * });
 * ```
 */
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Permission } from '../../access/permissions';
import type { InputField, InputFields, InputParameter, ResolvedInput } from './inputs';

export * from './inputs';

/** How a column is typed in xlsx and formatted in CSV. */
export type ColumnType = 'text' | 'integer' | 'decimal' | 'datetime' | 'date' | 'boolean';

/**
 * One column of a table.
 * - text: any SQL text; cells starting with = + - @ tab or CR get a leading apostrophe (CSV and xlsx).
 * - integer / decimal: numbers (numeric keeps its scale in CSV, e.g. "23.00"; a number cell in xlsx).
 * - datetime: a timestamptz; CSV `YYYY-MM-DD HH:MM:SS` in the export's time zone, an xlsx date cell.
 * - date: a date; CSV `YYYY-MM-DD`, an xlsx date cell.
 * - boolean: "Yes" / "No" as pretix writes them.
 * SQL NULL is an empty cell.
 */
export interface Column {
  header: string;
  sql: string | Knex.Raw;
  type: ColumnType;
  /**
   * Text that tixport generates or validates itself (slugs, order codes, secrets, fixed labels) and that can
   * never start with a formula character: skipped by formula escaping, which costs time on large exports.
   * Never set it for anything a buyer or admin typed.
   */
  safe?: boolean;
}

/** A table as SQL: the query holds FROM/JOIN/WHERE/ORDER BY, the columns say what to select from it. */
export interface Table {
  query: Knex.QueryBuilder;
  columns: Column[];
}

export interface SheetSpec<I> {
  /** The key in `<name>:<dialect>` formats, e.g. `positions`. */
  name: string;
  /** The xlsx worksheet title, as pretix names it, e.g. `Order positions`. */
  label: string;
  /** Builds the table when the sheet is due (later sheets see data as of the same snapshot). */
  build(ctx: ExportContext<I>): Promise<Table> | Table;
}

export type ExporterOutput<I> =
  | { type: 'list'; sheet: (ctx: ExportContext<I>) => Promise<Table> | Table }
  | { type: 'sheets'; sheets: SheetSpec<I>[] }
  | {
      type: 'file';
      extension: string;
      contentType: string;
      /** Streams the file into `out` (respect backpressure) and resolves when everything is written. */
      write(ctx: ExportContext<I>, out: Writable): Promise<void>;
    };

export interface ExportEvent {
  id: number;
  slug: string;
  name: Record<string, string>;
  currency: string;
  timezone: string;
  date_from: Date;
  date_to: Date | null;
}

/** What an exporter sees while it runs. */
export interface ExportContext<I = Record<string, unknown>> {
  /** A read-only REPEATABLE READ transaction (session TimeZone = `timezone`): one consistent snapshot. */
  db: Knex;
  level: 'event' | 'organizer';
  organizer: { id: number; slug: string; name: string };
  /** The event of an event-level export; null at organizer level. */
  event: ExportEvent | null;
  /** The events in scope, ordered by slug: the one event, or the selected events the client may export. */
  events: ExportEvent[];
  eventIds: number[];
  /** The event slug (event level) or organizer slug (organizer level), for pretix's filenames. */
  slug: string;
  /** The exporter's time zone: the event's, or the first selected event's (UTC without events). */
  timezone: string;
  input: I;
  /** Absolute base URL of this installation, e.g. for order links. */
  siteUrl: string;
  /** When the export started running; relative date frames were resolved against it. */
  now: Date;
  /** Reports progress as a fraction 0…1 of this exporter's work; the pipeline throttles writes to ~1 %. */
  progress(fraction: number): Promise<void>;
}

/** The context as the pipeline handles it, for any exporter. */
export type AnyExportContext = ExportContext<ResolvedInput<InputFields>>;

/** An expected failure whose message the client may see (410 `{"status": "failed", "message": …}`). */
export class ExportError extends Error {}

export const NO_DATA_MESSAGE = 'Your export did not contain any data.';

export interface ExporterDefinition<F extends InputFields> {
  /** Stable, lowercase, pretix's identifier; never renamed. */
  identifier: string;
  verboseName: string;
  category?: string;
  description?: string;
  /** 'event': runs on one event. 'organizer': runs on the selected events of an organizer. */
  scope: 'event' | 'organizer';
  /** Legacy permission needed on every event read; pretix's default for built-in exporters. */
  permission?: Permission;
  /** The exporter's own inputs in pretix's order (without `_format`, `all_events`, `events`). */
  input: F;
  /**
   * pretix's file name without extension, e.g. `${ctx.slug}_orders`. May read the snapshot (`ctx.db`), e.g. for
   * the check-in list's name in `<slug>_checkin_<list>`; the pipeline awaits it.
   */
  filename(ctx: ExportContext<ResolvedInput<F>>): string | Promise<string>;
  output: ExporterOutput<ResolvedInput<F>>;
}

/** A CSV dialect as pretix offers them. */
export type CsvDialect = 'default' | 'excel' | 'semicolon';

/** What one value of `_format` produces. */
export type FormatChoice =
  { kind: 'xlsx' } | { kind: 'csv'; dialect: CsvDialect; sheet: string | null } | { kind: 'file' };

/** A registered exporter: the definition plus what the pipeline derives from it. */
export interface Exporter extends ExporterDefinition<InputFields> {
  permission: Permission;
  /** Every input in API order, including `_format` and (organizer level) `all_events`, `events` first. */
  fields: [string, InputField][];
  /** `_format` values in pretix's order with what each renders; empty for 'file' exporters. */
  formats: Map<string, FormatChoice>;
  /** The exporter object of the list and detail endpoints. */
  describe(): { identifier: string; verbose_name: string; input_parameters: InputParameter[] };
}

const LIST_FORMATS: [string, FormatChoice][] = [
  ['xlsx', { kind: 'xlsx' }],
  ['default', { kind: 'csv', dialect: 'default', sheet: null }],
  ['csv-excel', { kind: 'csv', dialect: 'excel', sheet: null }],
  ['semicolon', { kind: 'csv', dialect: 'semicolon', sheet: null }],
];

function formatsOf(output: ExporterOutput<never>): Map<string, FormatChoice> {
  if (output.type === 'file') return new Map();
  if (output.type === 'list') return new Map(LIST_FORMATS);
  const formats = new Map<string, FormatChoice>([['xlsx', { kind: 'xlsx' }]]);
  for (const sheet of output.sheets)
    for (const dialect of ['default', 'excel', 'semicolon'] as const)
      formats.set(`${sheet.name}:${dialect}`, { kind: 'csv', dialect, sheet: sheet.name });
  return formats;
}

function formatField(choices: string[]): InputField<string, string> {
  return {
    type: 'choice',
    label: 'Export format',
    required: true,
    choices,
    default: null,
    schema: enumOf(choices),
    resolve: (value) => value ?? 'xlsx',
  };
}

const enumOf = (keys: string[]) => z.enum(keys as [string, ...string[]]);

/** The framework's inputs of organizer-level exporters; `events` is resolved from slugs by the service. */
export const ALL_EVENTS_FIELD: InputField<boolean, boolean> = {
  type: 'boolean',
  label: 'All events',
  required: false,
  // What a run without `all_events` and `events` does (exports.input.ts selectEvents); sending `events` alone
  // means false.
  default: true,
  schema: z.boolean(),
  resolve: (value) => value ?? false,
};
export const EVENTS_FIELD: InputField<string[], string[]> = {
  type: 'event_slugs',
  label: 'Events',
  required: false,
  default: [],
  schema: z.array(z.string()),
  resolve: (value) => value ?? [],
};

export function defineExporter<F extends InputFields>(definition: ExporterDefinition<F>): Exporter {
  const formats = formatsOf(definition.output as ExporterOutput<never>);
  const fields: [string, InputField][] = [
    ...(definition.scope === 'organizer'
      ? ([
          ['all_events', ALL_EVENTS_FIELD],
          ['events', EVENTS_FIELD],
        ] as [string, InputField][])
      : []),
    ...(formats.size > 0 ? ([['_format', formatField([...formats.keys()])]] as [string, InputField][]) : []),
    ...(Object.entries(definition.input) as [string, InputField][]),
  ];
  const exporter = {
    ...definition,
    permission: definition.permission ?? 'can_view_orders',
    fields,
    formats,
    describe() {
      return {
        identifier: definition.identifier,
        verbose_name: definition.verboseName,
        input_parameters: fields.map(([name, field]) => ({
          name,
          required: field.required,
          ...(field.choices ? { choices: [...field.choices] } : {}),
          type: field.type,
          // A required input has to be sent, so a default would never apply: showing one would mislead.
          default: field.required ? null : field.default,
          label: field.label,
        })),
      };
    },
  };
  // The generic F only matters while the exporter file is type-checked; the pipeline handles every exporter
  // alike, with the input it validated against `fields`.
  return exporter as unknown as Exporter;
}
