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
 * Parses an ISO 8601 datetime the way DRF's DateTimeField does: offsets are honoured, a value without one is
 * read as UTC (the server time zone). Returns null for anything unparseable.
 */
export function parseDateTime(value: unknown): Date | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = DateTime.fromISO(value.trim().replace(' ', 'T'), { zone: 'utc' });
  return parsed.isValid ? parsed.toJSDate() : null;
}

export const DATETIME_FORMAT_ERROR =
  'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';
