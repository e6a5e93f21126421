/**
 * SQL fragments several exporters share. They return SQL text for Column.sql; aliases follow the convention
 * `o` orders, `e` events, `op` order positions, `ia` invoice addresses.
 */
import type { Knex } from 'knex';
import type { DateFrame } from '../date-frames';

/** A pretix i18n string (jsonb {"en": …}) in English, else in its first language, else ''. */
export function i18n(expression: string): string {
  // No subquery here: it would keep Postgres from inlining the formula escaping around it (see migration).
  return `coalesce(${expression}->>'en', jsonb_path_query_first(${expression}, '$.*') #>> '{}', '')`;
}

/** Verbose names of pretix's built-in payment providers; unknown providers show their identifier. */
export const PAYMENT_PROVIDER_NAMES: Record<string, string> = {
  banktransfer: 'Bank transfer',
  boxoffice: 'Box office',
  free: 'Free of charge',
  giftcard: 'Gift card',
  manual: 'Manual payment',
  offsetting: 'Offsetting',
  paypal: 'PayPal',
  stripe: 'Stripe',
};

/** An SQL string literal, for names and values inlined into COPY's SQL. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function providerName(expression: string): string {
  const cases = Object.entries(PAYMENT_PROVIDER_NAMES)
    .map(([id, name]) => `WHEN ${literal(id)} THEN ${literal(name)}`)
    .join(' ');
  return `CASE ${expression} ${cases} ELSE ${expression} END`;
}

export function providerLabel(identifier: string): string {
  return PAYMENT_PROVIDER_NAMES[identifier] ?? identifier;
}

/** Restricts `column` to a resolved date frame ([start, end) in the exporter's time zone). */
export function whereInFrame(query: Knex.QueryBuilder, column: string, frame: DateFrame | null): void {
  if (!frame) return;
  if (frame.start) query.where(column, '>=', frame.start.toISOString());
  if (frame.end) query.where(column, '<', frame.end.toISOString());
}

/** The public order page, as pretix links it: /<organizer>/<event>/order/<code>/<secret>/. */
export function orderLink(siteUrl: string, organizerSlug: string, order = 'o', event = 'e'): string {
  return `${literal(`${siteUrl}/${organizerSlug}/`)} || ${event}.slug || '/order/' || ${order}.code || '/' || ${order}.secret || '/'`;
}
