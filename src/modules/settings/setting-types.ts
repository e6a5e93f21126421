import { DateTime } from 'luxon';
import { formatDateTime, parseDateTime } from '../../shared/api-datetime';
import { isCountryCode, LANGUAGES } from '../../shared/reference-data';

/** The outcome of checking one submitted setting value: the value to store, or DRF's message. */
export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

export type SettingType = (value: unknown) => Parsed;

const ok = (value: unknown): Parsed => ({ ok: true, value });
const fail = (error: string): Parsed => ({ ok: false, error });

export const bool: SettingType = (value) => {
  if (typeof value === 'boolean') return ok(value);
  if (value === 'true' || value === '1' || value === 1) return ok(true);
  if (value === 'false' || value === '0' || value === 0) return ok(false);
  return fail('Must be a valid boolean.');
};

export function int(min: number, max: number): SettingType {
  return (value) => {
    const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number)) return fail('A valid integer is required.');
    if (number < min) return fail(`Ensure this value is greater than or equal to ${min}.`);
    if (number > max) return fail(`Ensure this value is less than or equal to ${max}.`);
    return ok(number);
  };
}

export function text(maxLength = 10_000): SettingType {
  return (value) => {
    if (typeof value !== 'string') return fail('Not a valid string.');
    if (value.length > maxLength) return fail(`Ensure this field has no more than ${maxLength} characters.`);
    return ok(value);
  };
}

export const url: SettingType = (value) => {
  if (typeof value !== 'string') return fail('Not a valid string.');
  // Django's URLValidator: http(s)/ftp(s) with a host that has a dot (or is localhost).
  const match = /^(https?|ftps?):\/\/([^/?#\s:]+)(:\d+)?([/?#]\S*)?$/i.exec(value.trim());
  const host = match?.[2] ?? '';
  if (!match || !(host === 'localhost' || /^[^.]+(\.[^.]+)+$/.test(host))) return fail('Enter a valid URL.');
  return ok(value.trim());
};

export const email: SettingType = (value) => {
  if (typeof value !== 'string') return fail('Not a valid string.');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim())) return fail('Enter a valid email address.');
  return ok(value.trim());
};

export function choice(choices: readonly string[]): SettingType {
  return (value) => {
    const key = typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
    return choices.includes(key) ? ok(key) : fail(`"${String(value)}" is not a valid choice.`);
  };
}

export const language: SettingType = (value) =>
  typeof value === 'string' && LANGUAGES.has(value)
    ? ok(value)
    : fail(`"${String(value)}" is not a valid choice.`);

export const languages: SettingType = (value) => {
  if (!Array.isArray(value)) return fail(`Expected a list of items but got type "${typeof value}".`);
  for (const entry of value) if (!(typeof entry === 'string' && LANGUAGES.has(entry))) return language(entry);
  return ok([...new Set(value as string[])]);
};

export const country: SettingType = (value) =>
  typeof value === 'string' && isCountryCode(value)
    ? ok(value)
    : fail(`"${String(value)}" is not a valid choice.`);

export const stringList: SettingType = (value) => {
  if (!Array.isArray(value)) return fail(`Expected a list of items but got type "${typeof value}".`);
  if (!value.every((entry) => typeof entry === 'string')) return fail('Not a valid string.');
  return ok(value);
};

export const color: SettingType = (value) =>
  typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value)
    ? ok(value)
    : fail('Please enter the hexadecimal code of a color, e.g. #990000.');

/** An i18n value: a plain string counts as the default language; stored as an object. */
export const i18n: SettingType = (value) => {
  if (typeof value === 'string') return ok({ en: value });
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.some(([lang]) => !LANGUAGES.has(lang))) return fail('Invalid languages included.');
    if (entries.some(([, text]) => typeof text !== 'string' && text !== null))
      return fail('Invalid data type.');
    return ok(Object.fromEntries(entries.filter(([, text]) => text !== null)));
  }
  return fail('Invalid data type.');
};

export const i18nList: SettingType = (value) => {
  if (!Array.isArray(value)) return fail(`Expected a list of items but got type "${typeof value}".`);
  const parsed: unknown[] = [];
  for (const entry of value) {
    const result = i18n(entry);
    if (!result.ok) return result;
    parsed.push(result.value);
  }
  return ok(parsed);
};

export const RELATIVE_BASES = [
  'date_from',
  'date_to',
  'date_admission',
  'presale_start',
  'presale_end',
] as const;
export type RelativeBase = (typeof RELATIVE_BASES)[number];

export interface RelativeDate {
  days: number;
  minutes: number | null;
  time: string | null;
  base: RelativeBase;
  after: boolean;
}

/** pretix's `RELDATE/<days>/<HH:MM:SS|->/<base>/[after]` and `RELDATE/minutes/<n>/<base>/[after]`. */
export function parseRelative(value: string): RelativeDate | null {
  const parts = value.split('/');
  const base = parts[3] as RelativeBase;
  if (!RELATIVE_BASES.includes(base)) return null;
  const after = parts[4] === 'after';
  if (parts[1] === 'minutes') {
    if (!/^\d+$/.test(parts[2] ?? '')) return null;
    return { days: 0, minutes: Number(parts[2]), time: null, base, after };
  }
  if (!/^\d*$/.test(parts[1] ?? '')) return null;
  const time = parts[2] === '-' ? null : (parts[2] ?? '');
  if (time !== null && !/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.test(time)) return null;
  return { days: Number(parts[1] || 0), minutes: null, time, base, after };
}

/** Relative date(time) settings: an absolute ISO value, or a RELDATE string. `dateOnly` for date fields. */
export function relative(dateOnly: boolean): SettingType {
  return (value) => {
    if (typeof value !== 'string') return fail('Invalid relative date');
    if (value.startsWith('RELDATE/')) {
      const parsed = parseRelative(value);
      if (!parsed || (dateOnly && (parsed.time !== null || parsed.minutes !== null)))
        return fail('Invalid relative date');
      return ok(value);
    }
    if (dateOnly) {
      const date = DateTime.fromISO(value, { zone: 'utc' });
      return date.isValid ? ok(date.toISODate()) : fail('Invalid relative date');
    }
    const date = parseDateTime(value);
    return date ? ok(formatDateTime(date)) : fail('Invalid relative date');
  };
}

/** The moment a stored relative-date value stands for, given the event's dates (pretix's RelativeDateWrapper). */
export function resolveRelative(
  value: string,
  dates: Record<RelativeBase, Date | null>,
  timezone: string,
): DateTime | null {
  if (!value.startsWith('RELDATE/')) {
    const parsed = DateTime.fromISO(value, { zone: timezone });
    return parsed.isValid ? parsed : null;
  }
  const relativeDate = parseRelative(value);
  if (!relativeDate) return null;
  const baseDate = dates[relativeDate.base] ?? dates.date_from;
  if (!baseDate) return null;
  const base = DateTime.fromJSDate(baseDate, { zone: timezone });
  const sign = relativeDate.after ? 1 : -1;
  if (relativeDate.minutes !== null) return base.plus({ minutes: sign * relativeDate.minutes });
  let result = base.plus({ days: sign * relativeDate.days });
  if (relativeDate.time) {
    const [hour, minute, second] = relativeDate.time.split(':').map(Number);
    result = result.set({ hour, minute, second, millisecond: 0 });
  }
  return result;
}
