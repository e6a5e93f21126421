import { z } from 'zod';
import type { Db } from '../../../platform/db';
import { isValidDateFrame, resolveDateFrame, type DateFrame } from '../date-frames';

/** What the exporter list shows per input: pretix's `name`, `required`, `choices`, plus additive keys. */
export interface InputParameter {
  name: string;
  required: boolean;
  choices?: string[];
  type: InputType;
  default: unknown;
  label: string;
}

export type InputType =
  | 'boolean'
  | 'choice'
  | 'multiple_choice'
  | 'date_frame'
  | 'model_choice'
  | 'model_multiple_choice'
  | 'event_slugs';

/** Where an input is checked against the database: the organizer and the events the export will read. */
export interface InputCheckScope {
  db: Db;
  organizerId: number;
  eventIds: readonly number[];
}

/** What a stored value is resolved against when the export runs. */
export interface ResolveScope {
  timezone: string;
  now: Date;
}

/**
 * One input of an exporter. The stored value (what the client sent, normalised, defaults applied) is kept in
 * the exports table; `resolve` turns it into what the exporter receives when it runs.
 */
export interface InputField<Stored = unknown, Resolved = Stored> {
  type: InputType;
  label: string;
  required: boolean;
  choices?: readonly string[];
  /** Applied server-side when the client omits the field (pretix's API forgets the form's initial values). */
  default: Stored | null;
  /** Validates a value the client sent (never undefined); messages are rewritten to DRF's by validate.ts. */
  schema: z.ZodType;
  /** Checks that need the database, e.g. that ids belong to the export's events; returns an error message. */
  check?(value: Stored, scope: InputCheckScope): Promise<string | null>;
  resolve(value: Stored | null, scope: ResolveScope): Resolved;
  /** Date frames accept pretix's legacy `<prefix>_from` / `<prefix>_to` keys instead of `<prefix>_range`. */
  legacyDateKeys?: boolean;
}

export type InputFields = Record<string, InputField<any, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- heterogeneous field map; each field keeps its own types

/** The input an exporter receives: every declared field resolved, plus `_format` for sheet exporters. */
export type ResolvedInput<F extends InputFields> = {
  [K in keyof F]: F[K] extends InputField<infer _S, infer R> ? R : never;
} & { _format: string };

type Choices = readonly (readonly [key: string, label: string])[];

const identity = <T>(value: T) => value;

/** A yes/no option; `null` is refused as by DRF's BooleanField. */
export function boolean(options: { label: string; default?: boolean }): InputField<boolean, boolean> {
  return {
    type: 'boolean',
    label: options.label,
    required: false,
    default: options.default ?? false,
    schema: z.boolean(),
    resolve: (value) => value ?? false,
  };
}

/** One key out of `choices`; optional choices accept null ("no filter"). */
export function choice(options: {
  label: string;
  choices: Choices;
  required?: boolean;
  default?: string | null;
}): InputField<string, string | null> {
  const keys = options.choices.map(([key]) => key);
  const schema = z.enum(keys as [string, ...string[]]);
  return {
    type: 'choice',
    label: options.label,
    required: options.required ?? false,
    choices: keys,
    default: options.default ?? null,
    schema: options.required ? schema : schema.nullable(),
    resolve: identity,
  };
}

/** A list of keys out of `choices`; an empty list only when optional. */
export function multipleChoice(options: {
  label: string;
  choices: Choices;
  required?: boolean;
  default?: string[];
}): InputField<string[], string[]> {
  const keys = options.choices.map(([key]) => key);
  const list = z.array(z.enum(keys as [string, ...string[]]));
  return {
    type: 'multiple_choice',
    label: options.label,
    required: options.required ?? false,
    choices: keys,
    default: options.default ?? [],
    schema: options.required ? list.min(1, 'This list may not be empty.') : list,
    resolve: (value) => value ?? [],
  };
}

/** A pretix date frame (§4.2): resolved at run time in the exporter's time zone; `null` or `"/"` = no filter. */
export const END_BEFORE_START = 'The end of the date frame is before its start.';

/** An explicit frame's last day is not before its first (named frames never are). */
function endsAfterStart(frame: string): boolean {
  const { firstDay, lastDay } = resolveDateFrame(frame, 'UTC');
  return firstDay === null || lastDay === null || firstDay <= lastDay;
}

export function dateFrame(options: { label: string }): InputField<string, DateFrame | null> {
  return {
    type: 'date_frame',
    label: options.label,
    required: false,
    default: '/',
    schema: z
      .string()
      .min(1)
      .refine(isValidDateFrame, { message: 'Invalid date frame', abort: true })
      // pretix accepts such a frame and exports nothing; an empty file is more likely a mistake than a wish.
      .refine(endsAfterStart, { message: END_BEFORE_START })
      .nullable(),
    resolve: (value, scope) =>
      value === null || value === '/' ? null : resolveDateFrame(value, scope.timezone, scope.now),
    legacyDateKeys: true,
  };
}

const pk = z.number({ error: (issue) => pkTypeMessage(issue.input) }).int();

function pkTypeMessage(input: unknown): string {
  if (input === undefined) return 'This field is required.';
  if (input === null) return 'This field may not be null.';
  return `Incorrect type. Expected pk value, received ${pythonTypeName(input)}.`;
}

function pythonTypeName(value: unknown): string {
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'float';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** Ids of rows the export's events own, e.g. products; `table` must have `id` and `event_id`. */
interface ModelOptions {
  label: string;
  table: string;
  required?: boolean;
}

async function missingIds(ids: readonly number[], table: string, scope: InputCheckScope): Promise<number[]> {
  if (ids.length === 0) return [];
  const found = await scope.db(table).whereIn('id', ids).whereIn('event_id', scope.eventIds).pluck('id');
  const present = new Set(found.map(Number));
  return ids.filter((id) => !present.has(id));
}

export function modelChoice(options: ModelOptions): InputField<number, number | null> {
  return {
    type: 'model_choice',
    label: options.label,
    required: options.required ?? false,
    default: null,
    schema: options.required ? pk : pk.nullable(),
    async check(value, scope) {
      const [missing] = await missingIds([value], options.table, scope);
      return missing === undefined ? null : `Invalid pk "${missing}" - object does not exist.`;
    },
    resolve: (value) => value,
  };
}

export function modelMultipleChoice(options: ModelOptions): InputField<number[], number[]> {
  const list = z.array(pk);
  return {
    type: 'model_multiple_choice',
    label: options.label,
    required: options.required ?? false,
    default: [],
    schema: options.required ? list.min(1, 'This list may not be empty.') : list,
    async check(value, scope) {
      const [missing] = await missingIds(value, options.table, scope);
      return missing === undefined ? null : `Invalid pk "${missing}" - object does not exist.`;
    },
    resolve: (value) => value ?? [],
  };
}
