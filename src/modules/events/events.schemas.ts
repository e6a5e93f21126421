import { z } from 'zod';
import { DATETIME_FORMAT_ERROR, parseDateTime } from '../../shared/api-datetime';
import * as t from '../settings/setting-types';
import type { Parsed } from '../settings/setting-types';
import { CURRENCIES, SALES_CHANNELS, TIMEZONES } from '../../shared/reference-data';

/** Python's type names, as DRF puts them in "Expected a list of items but got type …". */
function pythonType(value: unknown): string {
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  return 'dict';
}

const ok = <T>(value: T): Parsed => ({ ok: true, value });
const fail = (error: string): Parsed => ({ ok: false, error });

/** Slugs pretix refuses because they collide with its own URLs. */
const BANNED_SLUGS = new Set(
  'download healthcheck locale control redirect jsi18n metrics _global __debug__ api events csp_report widget customer account lead accessibility'.split(
    ' ',
  ),
);

const slug = (value: unknown): Parsed => {
  if (typeof value !== 'string') return fail('Not a valid string.');
  if (value.length === 0) return fail('This field may not be blank.');
  if (value.length > 50) return fail('Ensure this field has no more than 50 characters.');
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(value))
    return fail('The slug may only contain letters, numbers, dots and dashes.');
  if (BANNED_SLUGS.has(value)) return fail(`This field has an invalid value: ${value}.`);
  return ok(value);
};

const datetime = (value: unknown): Parsed => {
  const date = parseDateTime(value);
  return date ? ok(date) : fail(DATETIME_FORMAT_ERROR);
};

function coordinate(limit: number) {
  return (value: unknown): Parsed => {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) return fail('A valid number is required.');
    if (number < -limit) return fail(`Ensure this value is greater than or equal to -${limit}.`);
    if (number > limit) return fail(`Ensure this value is less than or equal to ${limit}.`);
    return ok(number);
  };
}

function stringMap(message: string) {
  return (value: unknown): Parsed => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(message);
    if (!Object.values(value).every((entry) => typeof entry === 'string')) return fail(message);
    return ok(value as Record<string, string>);
  };
}

function stringList(value: unknown): Parsed {
  if (!Array.isArray(value)) return fail(`Expected a list of items but got type "${pythonType(value)}".`);
  if (!value.every((entry) => typeof entry === 'string')) return fail('Not a valid string.');
  return ok(value as string[]);
}

const seatingPlan = (value: unknown): Parsed => {
  // Seating plans are out of scope: no plan exists, so every id names a missing object.
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)))
    return fail(`Invalid pk "${String(value)}" - object does not exist.`);
  return fail(`Incorrect type. Expected pk value, received ${pythonType(value)}.`);
};

const seatCategoryMapping = (value: unknown): Parsed => {
  const message = 'seat_category_mapping needs to be an object (str -> int).';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(message);
  const entries = Object.entries(value);
  if (!entries.every(([, item]) => item === null || (typeof item === 'number' && Number.isInteger(item))))
    return fail(message);
  return ok(value as Record<string, number | null>);
};

const limitSalesChannels = (value: unknown): Parsed => {
  const list = stringList(value);
  if (!list.ok) return list;
  const unknown = (list.value as string[]).find((channel) => !SALES_CHANNELS.includes(channel));
  return unknown === undefined ? list : fail(`Object with identifier=${unknown} does not exist.`);
};

/**
 * One field of the event body as DRF would check it; null is either a value or refused. Missing keys are left
 * to the caller (which fields are required depends on the method).
 */
function field<T>(
  parse: (value: unknown) => Parsed,
  options: { nullable?: boolean; nullMessage?: string } = {},
) {
  return z
    .unknown()
    .transform((value, ctx): T | undefined => {
      if (value === null) {
        if (options.nullable) return null as T;
        ctx.addIssue({ code: 'custom', message: options.nullMessage ?? 'This field may not be null.' });
        return undefined;
      }
      const parsed = parse(value);
      if (!parsed.ok) {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return undefined;
      }
      return parsed.value as T;
    })
    .optional();
}

/** Fields pretix requires on POST and PUT. */
export const REQUIRED_ON_CREATE = ['name', 'slug', 'date_from'] as const;

export type I18n = Record<string, string>;

/** The writable event fields; a field left out keeps its current (or default) value. */
export const EventBody = (() => {
  const nullableDate = () => field<Date | null>(datetime, { nullable: true });
  return z.object({
    name: field<I18n>(t.i18n),
    slug: field<string>(slug),
    live: field<boolean>(t.bool),
    testmode: field<boolean>(t.bool),
    currency: field<string>(t.choice([...CURRENCIES])),
    date_from: field<Date>(datetime),
    date_to: nullableDate(),
    date_admission: nullableDate(),
    is_public: field<boolean>(t.bool),
    presale_start: nullableDate(),
    presale_end: nullableDate(),
    location: field<I18n | null>(t.i18n, { nullable: true }),
    geo_lat: field<number | null>(coordinate(90), { nullable: true }),
    geo_lon: field<number | null>(coordinate(180), { nullable: true }),
    has_subevents: field<boolean>(t.bool),
    meta_data: field<Record<string, string>>(stringMap('meta_data needs to be an object (str -> str).')),
    plugins: field<string[]>(stringList),
    seating_plan: field<null>(seatingPlan, { nullable: true }),
    seat_category_mapping: field<Record<string, number | null>>(seatCategoryMapping),
    timezone: field<string>(t.choice([...TIMEZONES])),
    item_meta_properties: field<Record<string, string>>(
      stringMap('item_meta_properties needs to be an object (str -> str).'),
    ),
    all_sales_channels: field<boolean>(t.bool),
    limit_sales_channels: field<string[]>(limitSalesChannels),
    sales_channels: field<string[]>(stringList, {
      nullMessage: "The legacy attribute 'sales_channels' cannot be set to None, it must be a list.",
    }),
  });
})();

export type EventBody = z.output<typeof EventBody>;
