import { DateTime } from 'luxon';

/** pretix (DRF) datetime output: ISO 8601 in UTC with `Z`, fractional seconds only when there are any. */
export function formatDateTime(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  const iso = date.toISOString();
  const millis = date.getUTCMilliseconds();
  // DRF prints microseconds; Postgres rows reach us with millisecond precision, so pad to six digits.
  return millis === 0 ? iso.replace(/\.\d{3}Z$/, 'Z') : iso.replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Python's datetime (and so pretix) knows years 1 to 9999. JavaScript dates reach ±271821 and Postgres
 * rejects some of those (year 0, years before 4713 BC) and prints others in a form no pretix client parses, so
 * every date and datetime the API accepts is held to Python's range.
 */
export function withinSupportedYears(date: Date | DateTime): boolean {
  const year = date instanceof Date ? date.getUTCFullYear() : date.toUTC().year;
  return year >= 1 && year <= 9999;
}

/**
 * Parses an ISO 8601 datetime the way DRF's DateTimeField does: offsets are honoured, a value without one is
 * read as UTC (the server time zone). Returns null for anything unparseable or outside years 1 to 9999.
 */
export function parseDateTime(value: unknown): Date | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = DateTime.fromISO(value.trim().replace(' ', 'T'), { zone: 'utc' });
  return parsed.isValid && withinSupportedYears(parsed) ? parsed.toJSDate() : null;
}

/** Parses an ISO 8601 date (`YYYY-MM-DD`) in `zone`, or null when it is none or outside years 1 to 9999. */
export function parseIsoDate(value: string, zone = 'utc'): DateTime | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const parsed = DateTime.fromISO(value, { zone });
  return parsed.isValid && parsed.year >= 1 && parsed.year <= 9999 ? parsed : null;
}

export const DATETIME_FORMAT_ERROR =
  'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';
