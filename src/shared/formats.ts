import { formatDateTime } from './api-datetime';

/**
 * The wire formats pretix uses for values (datetimes: formatDateTime in ./api-datetime): dates as YYYY-MM-DD,
 * money and rates as decimal strings with two places.
 */
export function isoDate(value: Date | string | null | undefined): string | null {
  return formatDateTime(value)?.slice(0, 10) ?? null;
}

/** Postgres numeric arrives as a string already; numbers (sums, computed values) are formatted here. */
export function decimal(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'number' ? value : Number(value)).toFixed(2);
}

/** Money in integer cents, so that sums and tax shares never meet floating-point rounding. */
export function toCents(value: string | number): number {
  return Math.round(Number(value) * 100);
}

export function fromCents(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** The tax included in a gross price at `rate` percent, rounded half up to the cent. */
export function includedTaxCents(grossCents: number, rate: string | number): number {
  const r = Number(rate);
  return r === 0 ? 0 : Math.round((grossCents * r) / (100 + r));
}
