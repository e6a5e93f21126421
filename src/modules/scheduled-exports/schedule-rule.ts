import { Frequency, RRule, Weekday, type Options } from 'rrule';

/**
 * The RRULE subset a schedule may use (pretix's "simple" rules): one occurrence per day at most, and days only —
 * the time of day comes from `schedule_rrule_time`, the zone from the event or the schedule. Checked in pretix's
 * order with pretix's messages, except where pretix is wrong:
 * - BYSETPOS 1, 2, 3 or -1 is accepted for MONTHLY/YEARLY (pretix rejects every value by a type slip);
 * - plain MONTHLY/YEARLY (same day as DTSTART) is accepted (pretix rejects it through an implicit BYMONTHDAY);
 * - a DTSTART with TZID or `Z`, and an empty rule, are clear 400s (pretix answers 500 after saving the row).
 */
export class RuleError extends Error {}

export const MESSAGES = {
  invalid: 'Not a valid rrule.',
  combination: 'Only a single RRULE is allowed, no combination of rules.',
  freq: 'Unsupported FREQ value',
  wkst: 'Unsupported WKST value',
  setposCount: 'Only one BYSETPOS value allowed',
  setposValue: 'BYSETPOS value not allowed, should be 1, 2, 3 or -1',
  setposFreq: 'BYSETPOS not allowed for this FREQ',
  zonedStart:
    'DTSTART must be a local date or date-time without TZID or "Z": the schedule\'s time zone applies.',
} as const;

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface ScheduleRule {
  /** The floating DTSTART; null when the text has none (see withStart). */
  start: LocalDateTime | null;
  options: Partial<Options>;
}

const FREQUENCIES: Record<string, Frequency> = {
  YEARLY: Frequency.YEARLY,
  MONTHLY: Frequency.MONTHLY,
  WEEKLY: Frequency.WEEKLY,
  DAILY: Frequency.DAILY,
  HOURLY: Frequency.HOURLY,
  MINUTELY: Frequency.MINUTELY,
  SECONDLY: Frequency.SECONDLY,
};
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const RULE_KEYS = new Set([
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYDAY',
  'BYMONTH',
  'BYSETPOS',
  'WKST',
  'BYMONTHDAY',
  'BYYEARDAY',
  'BYEASTER',
  'BYWEEKNO',
  'BYHOUR',
  'BYMINUTE',
  'BYSECOND',
]);

const invalid = () => new RuleError(MESSAGES.invalid);

function integer(value: string, min: number, max: number, allowZero = true): number {
  if (!/^[+-]?\d{1,4}$/.test(value)) throw invalid();
  const n = Number(value);
  if (n < min || n > max || (!allowZero && n === 0)) throw invalid();
  return n;
}

const integers = (value: string, min: number, max: number, allowZero = true) =>
  value.split(',').map((part) => integer(part, min, max, allowZero));

/** `YYYYMMDD` or `YYYYMMDDTHHMMSS`, optionally with `Z` (reported as zoned). */
function parseDateTime(value: string): { at: LocalDateTime; utc: boolean } {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?(Z)?$/.exec(value);
  if (!match) throw invalid();
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    year < 1
  )
    throw invalid();
  return { at: { year, month, day, hour, minute, second }, utc: match[7] === 'Z' };
}

/** rrule.js reads and returns "pseudo-UTC" dates: the wall-clock fields stored as if they were UTC. */
export function pseudoUtc(at: LocalDateTime): Date {
  return new Date(Date.UTC(at.year, at.month - 1, at.day, at.hour, at.minute, at.second));
}

function parseRuleValue(value: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const part of value.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalid();
    const key = part.slice(0, eq).toUpperCase();
    const raw = part.slice(eq + 1).toUpperCase();
    if (!RULE_KEYS.has(key) || parts.has(key) || raw === '') throw invalid();
    parts.set(key, raw);
  }
  if (!parts.has('FREQ')) throw invalid();
  return parts;
}

interface Parsed {
  start: LocalDateTime | null;
  rules: Map<string, string>[];
  combined: boolean;
}

/** Splits the text into DTSTART, RRULE lines and the lines that would make it a rule set. */
function parseLines(text: string): Parsed {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0) throw invalid();
  // dateutil accepts a lone rule without its "RRULE:" name.
  if (lines.length === 1 && !lines[0]!.includes(':')) lines[0] = `RRULE:${lines[0]}`;
  const parsed: Parsed = { start: null, rules: [], combined: false };
  let zonedStart = false;
  let starts = 0;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalid();
    const [name, ...params] = line.slice(0, colon).toUpperCase().split(';');
    const value = line.slice(colon + 1).trim();
    if (name === 'DTSTART') {
      starts += 1;
      for (const param of params) {
        if (param.startsWith('TZID=')) zonedStart = true;
        else if (param !== 'VALUE=DATE' && param !== 'VALUE=DATE-TIME') throw invalid();
      }
      const { at, utc } = parseDateTime(value);
      if (utc) zonedStart = true;
      parsed.start = at;
    } else if (name === 'RRULE' || name === 'EXRULE') {
      if (params.length > 0) throw invalid();
      const rule = parseRuleValue(value);
      if (name === 'RRULE') parsed.rules.push(rule);
      else parsed.combined = true;
    } else if (name === 'RDATE' || name === 'EXDATE') {
      if (value === '') throw invalid();
      parsed.combined = true;
    } else {
      throw invalid();
    }
  }
  if (starts > 1 || parsed.rules.length === 0) throw invalid();
  if (zonedStart) throw new RuleError(MESSAGES.zonedStart);
  return parsed;
}

function weekdays(value: string): Weekday[] {
  return value.split(',').map((part) => {
    const match = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(part);
    if (!match) throw invalid();
    const day = new Weekday(WEEKDAYS.indexOf(match[2]!));
    if (match[1] === undefined) return day;
    return day.nth(integer(match[1], -53, 53, false));
  });
}

/** The rule as rrule.js options, after every value parsed (so that a bad value is "Not a valid rrule."). */
function toOptions(rule: Map<string, string>, start: LocalDateTime | null): Partial<Options> {
  const freq = FREQUENCIES[rule.get('FREQ')!];
  if (freq === undefined) throw invalid();
  const options: Partial<Options> = { freq, wkst: 0 };
  const value = (key: string) => rule.get(key);
  if (value('INTERVAL')) options.interval = integer(value('INTERVAL')!, 1, 9999);
  if (value('COUNT')) options.count = integer(value('COUNT')!, 1, 9999);
  if (value('UNTIL')) {
    const until = parseDateTime(value('UNTIL')!);
    // dateutil refuses a UTC UNTIL with a floating DTSTART; so does pretix, as "Not a valid rrule.".
    if (until.utc) throw invalid();
    // A date-only UNTIL includes that whole day.
    const untilAt = /T/.test(value('UNTIL')!) ? until.at : { ...until.at, hour: 23, minute: 59, second: 59 };
    options.until = pseudoUtc(untilAt);
  }
  if (options.count !== undefined && options.until !== undefined) throw invalid();
  if (value('BYDAY')) options.byweekday = weekdays(value('BYDAY')!);
  if (value('BYMONTH')) options.bymonth = integers(value('BYMONTH')!, 1, 12);
  if (value('BYSETPOS')) options.bysetpos = integers(value('BYSETPOS')!, -366, 366, false);
  if (value('WKST')) {
    if (!WEEKDAYS.includes(value('WKST')!)) throw invalid();
    options.wkst = WEEKDAYS.indexOf(value('WKST')!);
  }
  for (const key of ['BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYEASTER']) {
    if (value(key)) integers(value(key)!, -366, 366);
  }
  if (value('BYHOUR')) integers(value('BYHOUR')!, 0, 23);
  if (value('BYMINUTE')) integers(value('BYMINUTE')!, 0, 59);
  if (value('BYSECOND')) integers(value('BYSECOND')!, 0, 59);
  if (start) options.dtstart = pseudoUtc(start);
  return options;
}

/** pretix's restrictions, in pretix's order. */
function checkSubset(
  rule: Map<string, string>,
  options: Partial<Options>,
  start: LocalDateTime | null,
): void {
  const freq = options.freq!;
  if (freq === Frequency.HOURLY || freq === Frequency.MINUTELY || freq === Frequency.SECONDLY)
    throw new RuleError(MESSAGES.freq);
  if (options.wkst !== 0) throw new RuleError(MESSAGES.wkst);
  const setpos = options.bysetpos as number[] | undefined;
  if (setpos) {
    if (setpos.length > 1) throw new RuleError(MESSAGES.setposCount);
    if (freq === Frequency.YEARLY || freq === Frequency.MONTHLY) {
      if (![1, 2, 3, -1].includes(setpos[0]!)) throw new RuleError(MESSAGES.setposValue);
    } else {
      throw new RuleError(MESSAGES.setposFreq);
    }
  }
  for (const key of ['BYMONTHDAY', 'BYYEARDAY', 'BYEASTER', 'BYWEEKNO'])
    if (rule.has(key)) throw new RuleError(`${key} not supported`);
  const pinned: [string, number][] = [
    ['BYHOUR', start?.hour ?? 0],
    ['BYMINUTE', start?.minute ?? 0],
    ['BYSECOND', start?.second ?? 0],
  ];
  for (const [key, expected] of pinned) {
    const raw = rule.get(key);
    if (raw !== undefined && (raw.includes(',') || Number(raw) !== expected))
      throw new RuleError(`${key} not supported`);
  }
}

/** Parses and checks a schedule's rule; throws RuleError with the message for `schedule_rrule`. */
export function parseScheduleRule(text: string): ScheduleRule {
  const parsed = parseLines(text);
  const options = parsed.rules.map((rule) => toOptions(rule, parsed.start));
  if (parsed.rules.length > 1 || parsed.combined) throw new RuleError(MESSAGES.combination);
  checkSubset(parsed.rules[0]!, options[0]!, parsed.start);
  return { start: parsed.start, options: options[0]! };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A rule without DTSTART gets one: the given local date at midnight. dateutil would take the server's clock
 * on every evaluation, so a weekly rule's weekday would drift with the day it is computed (pretix's bug).
 */
export function withStart(text: string, today: { year: number; month: number; day: number }): string {
  if (parseScheduleRule(text).start) return text.trim();
  const start = `DTSTART:${pad(today.year, 4)}${pad(today.month)}${pad(today.day)}T000000`;
  const body = text.trim();
  return `${start}\n${body.includes(':') ? body : `RRULE:${body}`}`;
}

/** An rrule.js rule over pseudo-UTC dates for a parsed schedule rule (DTSTART required). */
export function toRRule(rule: ScheduleRule): RRule {
  if (!rule.start) throw new Error('schedule rule without DTSTART: normalise it with withStart first');
  return new RRule(rule.options);
}
