import { DateTime, IANAZone } from 'luxon';
import { parseScheduleRule, toRRule } from './schedule-rule';

/**
 * When a schedule runs. The RRULE yields days only (rrule.js over pseudo-UTC dates, no tzid: its zone handling
 * depends on the host's TZ); each day becomes `time` on that day in `zone`, resolved here with luxon's zone
 * offsets alone — luxon's own gap/fold choice is undefined, so it is never asked to pick:
 * - a wall time that does not exist (DST gap) moves forward one hour, as pretix does; if that is still inside
 *   the gap (a skipped calendar day, e.g. Pacific/Apia on 2011-12-30), the run is at the end of the gap;
 * - a wall time that exists twice (DST fold) takes the earlier instant (RFC 5545, pretix's fold=0).
 */
export type DstAdjustment = null | 'gap_shifted' | 'fold_earlier';

export interface PlannedRun {
  at: Date;
  /** The run in the schedule's zone, ISO 8601 with offset. */
  local: string;
  dst: DstAdjustment;
}

export interface ScheduleTiming {
  rule: string;
  /** `HH:MM:SS` wall time. */
  time: string;
  zone: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Beyond this, a rule that produced nothing is taken as exhausted (e.g. BYMONTH=2 on the 30th of a month). */
const HORIZON_YEARS = 50;

export function isValidZone(zone: string): boolean {
  return /^[A-Za-z]/.test(zone) && IANAZone.isValidZone(zone);
}

/** Instants whose wall time in `zone` is `wall` (ms of the wall time read as UTC), earliest first. */
function instantsOf(zone: IANAZone, wall: number): number[] {
  const offsets = new Set<number>();
  for (const probe of [-2 * DAY, -DAY, 0, DAY, 2 * DAY]) offsets.add(zone.offset(wall + probe));
  return [...offsets]
    .map((offset) => wall - offset * MINUTE)
    .filter((instant) => zone.offset(instant) * MINUTE === wall - instant)
    .sort((a, b) => a - b);
}

/** The first instant at or after `from` whose offset is `offset`: the end of the gap before `to`. */
function gapEnd(zone: IANAZone, from: number, to: number): number {
  let [low, high] = [from, to];
  const after = zone.offset(to);
  while (high - low > 1000) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offset(middle) === after) high = middle;
    else low = middle;
  }
  return high;
}

/** `time` on `day` in `zone`, with pretix's gap rule and the earlier instant of a fold. */
export function resolveWallTime(
  day: { year: number; month: number; day: number },
  time: { hour: number; minute: number; second: number },
  zoneName: string,
): { at: Date; dst: DstAdjustment } {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new Error(`unknown time zone ${zoneName}`);
  const wall = Date.UTC(day.year, day.month - 1, day.day, time.hour, time.minute, time.second);
  const instants = instantsOf(zone, wall);
  if (instants.length > 0)
    return { at: new Date(instants[0]!), dst: instants.length > 1 ? 'fold_earlier' : null };
  const shifted = instantsOf(zone, wall + HOUR);
  if (shifted.length > 0) return { at: new Date(shifted[0]!), dst: 'gap_shifted' };
  // Still nothing an hour later: the gap is longer (a skipped day). The run happens when the zone resumes.
  const before = wall - zone.offset(wall - 2 * DAY) * MINUTE;
  const after = wall - zone.offset(wall + 2 * DAY) * MINUTE;
  return { at: new Date(gapEnd(zone, Math.min(before, after), Math.max(before, after))), dst: 'gap_shifted' };
}

export function parseTime(time: string): { hour: number; minute: number; second: number } {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?/.exec(time);
  if (!match) throw new Error(`bad time of day ${time}`);
  return { hour: Number(match[1]), minute: Number(match[2]), second: Number(match[3] ?? 0) };
}

function localDate(at: Date, zone: string): { year: number; month: number; day: number } {
  const local = DateTime.fromJSDate(at, { zone });
  return { year: local.year, month: local.month, day: local.day };
}

/** Today's date in `zone`, for a rule that comes without DTSTART. */
export function todayIn(zone: string, now: Date = new Date()): { year: number; month: number; day: number } {
  return localDate(now, zone);
}

/**
 * The next `count` runs strictly after `after`, in order; fewer (or none) once COUNT/UNTIL are exhausted.
 * Missed runs are never produced: the first is the first slot after `after`, whatever happened before.
 */
export function upcomingRuns(timing: ScheduleTiming, after: Date, count: number): PlannedRun[] {
  const rrule = toRRule(parseScheduleRule(timing.rule));
  const time = parseTime(timing.time);
  // Two days of slack: a day's slot can lie on the next day in UTC, or after a gap shift.
  const fromDay = localDate(new Date(after.getTime() - 2 * DAY), timing.zone);
  const from = Date.UTC(fromDay.year, fromDay.month - 1, fromDay.day);
  const until = Date.UTC(fromDay.year + HORIZON_YEARS, fromDay.month - 1, fromDay.day);
  const runs: PlannedRun[] = [];
  rrule.between(new Date(from), new Date(until), true, (occurrence) => {
    const day = {
      year: occurrence.getUTCFullYear(),
      month: occurrence.getUTCMonth() + 1,
      day: occurrence.getUTCDate(),
    };
    const { at, dst } = resolveWallTime(day, time, timing.zone);
    const previous = runs.at(-1);
    if (at > after && (!previous || at > previous.at)) {
      const local = DateTime.fromJSDate(at, { zone: timing.zone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
      runs.push({ at, local, dst });
    }
    return runs.length < count;
  });
  return runs;
}

/** The first run strictly after `now`, or null when the rule has no more days. */
export function nextRun(timing: ScheduleTiming, now: Date = new Date()): PlannedRun | null {
  return upcomingRuns(timing, now, 1)[0] ?? null;
}
