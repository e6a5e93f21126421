import { DateTime } from 'luxon';
import { parseIsoDate } from '../../shared/api-datetime';

/**
 * pretix's date frames (base/timeframes.py): a closed interval of calendar days, either explicit
 * (`YYYY-MM-DD/YYYY-MM-DD`, either side optional) or named relative to "today" in the exporter's time zone.
 * Stored as the string the client sent; resolved only when the export runs, so a scheduled or retried export
 * resolves `week_previous` against the day it actually runs.
 */
export interface DateFrame {
  /** First instant inside the frame (00:00 of the first day), or null for an open start. */
  start: Date | null;
  /** First instant after the frame (00:00 of the day after the last day), or null for an open end. */
  end: Date | null;
  /** The inclusive calendar days, for date (not datetime) columns. */
  firstDay: string | null;
  lastDay: string | null;
}

type Day = DateTime;
type Range = [Day | null, Day | null];

const startOfQuarter = (d: Day) => d.startOf('quarter');

/** Named frames: today → [first day, last day] (inclusive). Weeks start on Monday, as in pretix. */
const NAMED: Record<string, (today: Day) => Range> = {
  days_today: (t) => [t, t],
  days_yesterday: (t) => [t.minus({ days: 1 }), t.minus({ days: 1 })],
  days_last7: (t) => [t.minus({ days: 6 }), t],
  days_last14: (t) => [t.minus({ days: 13 }), t],
  days_tomorrow: (t) => [t.plus({ days: 1 }), t.plus({ days: 1 })],
  days_next7: (t) => [t.plus({ days: 1 }), t.plus({ days: 7 })],
  days_next14: (t) => [t.plus({ days: 1 }), t.plus({ days: 14 })],
  week_this: (t) => [t.startOf('week'), t.endOf('week').startOf('day')],
  week_to_date: (t) => [t.startOf('week'), t],
  week_previous: (t) => {
    const w = t.minus({ weeks: 1 });
    return [w.startOf('week'), w.endOf('week').startOf('day')];
  },
  week_next: (t) => {
    const w = t.plus({ weeks: 1 });
    return [w.startOf('week'), w.endOf('week').startOf('day')];
  },
  month_this: (t) => [t.startOf('month'), t.endOf('month').startOf('day')],
  month_to_date: (t) => [t.startOf('month'), t],
  month_previous: (t) => {
    const m = t.minus({ months: 1 });
    return [m.startOf('month'), m.endOf('month').startOf('day')];
  },
  month_next: (t) => {
    const m = t.plus({ months: 1 });
    return [m.startOf('month'), m.endOf('month').startOf('day')];
  },
  quarter_this: (t) => [startOfQuarter(t), t.endOf('quarter').startOf('day')],
  quarter_to_date: (t) => [startOfQuarter(t), t],
  quarter_previous: (t) => {
    const q = t.minus({ quarters: 1 });
    return [startOfQuarter(q), q.endOf('quarter').startOf('day')];
  },
  quarter_next: (t) => {
    const q = t.plus({ quarters: 1 });
    return [startOfQuarter(q), q.endOf('quarter').startOf('day')];
  },
  year_this: (t) => [t.startOf('year'), t.endOf('year').startOf('day')],
  year_to_date: (t) => [t.startOf('year'), t],
  year_previous: (t) => {
    const y = t.minus({ years: 1 });
    return [y.startOf('year'), y.endOf('year').startOf('day')];
  },
  year_next: (t) => {
    const y = t.plus({ years: 1 });
    return [y.startOf('year'), y.endOf('year').startOf('day')];
  },
  future: (t) => [t.plus({ days: 1 }), null],
  past: (t) => [null, t],
};

export const NAMED_DATE_FRAMES: readonly string[] = Object.keys(NAMED);

function parseDay(value: string, zone: string): Day | null | undefined {
  if (value === '') return null;
  const day = parseIsoDate(value, zone);
  return day ? day.startOf('day') : undefined;
}

function rangeOf(frame: string, zone: string, now: Date): Range | undefined {
  const named = NAMED[frame];
  if (named) return named(DateTime.fromJSDate(now, { zone }).startOf('day'));
  const parts = frame.split('/');
  if (parts.length !== 2) return undefined;
  const first = parseDay(parts[0]!, zone);
  const last = parseDay(parts[1]!, zone);
  if (first === undefined || last === undefined) return undefined;
  return [first, last];
}

/** True when pretix would accept the string as a date frame (it does not check that end ≥ start). */
export function isValidDateFrame(frame: string): boolean {
  return rangeOf(frame, 'UTC', new Date()) !== undefined;
}

/** Resolves a frame to instants in `zone`: [start 00:00, day after end 00:00). Throws on an invalid frame. */
export function resolveDateFrame(frame: string, zone: string, now: Date = new Date()): DateFrame {
  const range = rangeOf(frame, zone, now);
  if (!range) throw new Error(`invalid date frame ${JSON.stringify(frame)}`);
  const [first, last] = range;
  return {
    start: first ? first.toJSDate() : null,
    end: last ? last.plus({ days: 1 }).toJSDate() : null,
    firstDay: first ? first.toISODate() : null,
    lastDay: last ? last.toISODate() : null,
  };
}
