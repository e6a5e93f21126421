import { nextRun, upcomingRuns, type ScheduleTiming } from '../../src/modules/scheduled-exports/next-run';
import { parseScheduleRule, withStart } from '../../src/modules/scheduled-exports/schedule-rule';

const DAILY_2027 = 'DTSTART:20270301T000000\nRRULE:FREQ=DAILY';

/** The next runs as [UTC instant, local wall time with offset, DST adjustment]. */
function runs(timing: ScheduleTiming, after: string, count = 3): [string, string, string | null][] {
  return upcomingRuns(timing, new Date(after), count).map((run) => [
    run.at.toISOString(),
    run.local,
    run.dst,
  ]);
}

describe('the host time zone', () => {
  test('is whatever the process says; the results below must not depend on it', () => {
    // The suite runs once more with TZ=America/Los_Angeles (jest project "host TZ America/Los_Angeles").
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe(
      process.env.TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    );
  });
});

describe('next run: DST in Europe/Berlin', () => {
  test('02:30 on 2027-03-28 does not exist and moves forward one hour to 03:30 CEST', () => {
    expect(
      runs({ rule: DAILY_2027, time: '02:30:00', zone: 'Europe/Berlin' }, '2027-03-27T12:00:00Z'),
    ).toEqual([
      ['2027-03-28T01:30:00.000Z', '2027-03-28T03:30:00+02:00', 'gap_shifted'],
      ['2027-03-29T00:30:00.000Z', '2027-03-29T02:30:00+02:00', null],
      ['2027-03-30T00:30:00.000Z', '2027-03-30T02:30:00+02:00', null],
    ]);
  });

  test('02:30 on 2027-10-31 exists twice and takes the earlier instant (+02:00)', () => {
    expect(
      runs({ rule: DAILY_2027, time: '02:30:00', zone: 'Europe/Berlin' }, '2027-10-30T12:00:00Z'),
    ).toEqual([
      ['2027-10-31T00:30:00.000Z', '2027-10-31T02:30:00+02:00', 'fold_earlier'],
      ['2027-11-01T01:30:00.000Z', '2027-11-01T02:30:00+01:00', null],
      ['2027-11-02T01:30:00.000Z', '2027-11-02T02:30:00+01:00', null],
    ]);
  });

  test('just after the earlier instant of a fold, the later one is not a second run that day', () => {
    const timing = { rule: DAILY_2027, time: '02:30:00', zone: 'Europe/Berlin' };
    expect(nextRun(timing, new Date('2027-10-31T00:31:00Z'))?.at.toISOString()).toBe(
      '2027-11-01T01:30:00.000Z',
    );
  });
});

describe('next run: America/New_York', () => {
  test('02:30 on 2027-03-14 (spring forward) is 03:30 EDT', () => {
    expect(
      runs({ rule: DAILY_2027, time: '02:30:00', zone: 'America/New_York' }, '2027-03-13T12:00:00Z', 2),
    ).toEqual([
      ['2027-03-14T07:30:00.000Z', '2027-03-14T03:30:00-04:00', 'gap_shifted'],
      ['2027-03-15T06:30:00.000Z', '2027-03-15T02:30:00-04:00', null],
    ]);
  });

  test('01:30 on 2027-11-07 (fall back) is the EDT instant', () => {
    expect(
      runs({ rule: DAILY_2027, time: '01:30:00', zone: 'America/New_York' }, '2027-11-06T12:00:00Z', 2),
    ).toEqual([
      ['2027-11-07T05:30:00.000Z', '2027-11-07T01:30:00-04:00', 'fold_earlier'],
      ['2027-11-08T06:30:00.000Z', '2027-11-08T01:30:00-05:00', null],
    ]);
  });

  test("a schedule behind UTC never gets today's past slot (pretix re-sent it on every tick)", () => {
    const timing = {
      rule: 'DTSTART:20230118T000000\nRRULE:FREQ=DAILY',
      time: '04:00:00',
      zone: 'America/New_York',
    };
    // 20:00 local on 2027-06-10, long after the 04:00 slot, and the UTC date is already the 11th.
    expect(nextRun(timing, new Date('2027-06-11T00:00:00Z'))?.local).toBe('2027-06-11T04:00:00-04:00');
  });
});

describe('next run: Australia/Lord_Howe (30-minute DST shift)', () => {
  test('02:15 on 2027-10-03 falls into the half-hour gap and moves forward one hour to 03:15 +11:00', () => {
    expect(
      runs({ rule: DAILY_2027, time: '02:15:00', zone: 'Australia/Lord_Howe' }, '2027-10-02T00:00:00Z', 2),
    ).toEqual([
      ['2027-10-02T16:15:00.000Z', '2027-10-03T03:15:00+11:00', 'gap_shifted'],
      ['2027-10-03T15:15:00.000Z', '2027-10-04T02:15:00+11:00', null],
    ]);
  });

  test('01:45 on 2027-04-04 exists twice, half an hour apart, and takes the earlier (+11:00)', () => {
    expect(
      runs({ rule: DAILY_2027, time: '01:45:00', zone: 'Australia/Lord_Howe' }, '2027-04-03T00:00:00Z', 2),
    ).toEqual([
      ['2027-04-03T14:45:00.000Z', '2027-04-04T01:45:00+11:00', 'fold_earlier'],
      ['2027-04-04T15:15:00.000Z', '2027-04-05T01:45:00+10:30', null],
    ]);
  });
});

describe('next run: Pacific/Apia skipped 2011-12-30', () => {
  test('the missing day runs when the zone resumes (midnight of the 31st), then the 31st runs as usual', () => {
    const timing = { rule: 'DTSTART:20111201\nRRULE:FREQ=DAILY', time: '09:00:00', zone: 'Pacific/Apia' };
    expect(runs(timing, '2011-12-29T00:00:00Z', 4)).toEqual([
      ['2011-12-29T19:00:00.000Z', '2011-12-29T09:00:00-10:00', null],
      ['2011-12-30T10:00:00.000Z', '2011-12-31T00:00:00+14:00', 'gap_shifted'],
      ['2011-12-30T19:00:00.000Z', '2011-12-31T09:00:00+14:00', null],
      ['2011-12-31T19:00:00.000Z', '2012-01-01T09:00:00+14:00', null],
    ]);
  });
});

describe('next run: rule shapes', () => {
  const utc = (rule: string, after: string, count = 4) =>
    runs({ rule, time: '09:00:00', zone: 'UTC' }, after, count).map(([at]) => at.slice(0, 10));

  test('monthly on the last Friday', () => {
    expect(utc('DTSTART:20270101T000000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR', '2027-01-01T00:00:00Z')).toEqual([
      '2027-01-29',
      '2027-02-26',
      '2027-03-26',
      '2027-04-30',
    ]);
  });

  test('monthly on the first Monday, every second month', () => {
    expect(
      utc('DTSTART:20270101\nRRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO', '2027-01-01T00:00:00Z', 3),
    ).toEqual(['2027-01-04', '2027-03-01', '2027-05-03']);
  });

  test('monthly on the last weekday (BYSETPOS=-1, which pretix rejects by mistake)', () => {
    expect(
      utc('DTSTART:20270101\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', '2027-01-01T00:00:00Z'),
    ).toEqual(['2027-01-29', '2027-02-26', '2027-03-31', '2027-04-30']);
  });

  test('monthly on the 31st skips the months without one', () => {
    expect(utc('DTSTART:20270131\nRRULE:FREQ=MONTHLY', '2027-01-01T00:00:00Z', 3)).toEqual([
      '2027-01-31',
      '2027-03-31',
      '2027-05-31',
    ]);
  });

  test('yearly on the first Monday of January', () => {
    expect(utc('DTSTART:20270101\nRRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=1MO', '2027-01-05T00:00:00Z', 2)).toEqual(
      ['2028-01-03', '2029-01-01'],
    );
  });

  test('COUNT: the last occurrences, then nothing (next run null)', () => {
    const rule = 'DTSTART:20270101\nRRULE:FREQ=DAILY;COUNT=3';
    expect(utc(rule, '2027-01-02T12:00:00Z')).toEqual(['2027-01-03']);
    expect(nextRun({ rule, time: '09:00:00', zone: 'UTC' }, new Date('2027-01-03T09:00:00Z'))).toBeNull();
  });

  test('UNTIL (a date) includes that day, then nothing', () => {
    const rule = 'DTSTART:20270101\nRRULE:FREQ=DAILY;UNTIL=20270103';
    expect(utc(rule, '2027-01-01T12:00:00Z')).toEqual(['2027-01-02', '2027-01-03']);
    expect(nextRun({ rule, time: '09:00:00', zone: 'UTC' }, new Date('2027-01-04T00:00:00Z'))).toBeNull();
  });

  test('a DTSTART in the future is the first run', () => {
    const timing = { rule: 'DTSTART:20300101\nRRULE:FREQ=DAILY', time: '02:30:00', zone: 'UTC' };
    expect(nextRun(timing, new Date('2027-06-01T00:00:00Z'))?.at.toISOString()).toBe(
      '2030-01-01T02:30:00.000Z',
    );
  });

  test('a rule that can never match is exhausted, not an endless search', () => {
    const timing = { rule: 'DTSTART:20270130\nRRULE:FREQ=YEARLY;BYMONTH=2', time: '09:00:00', zone: 'UTC' };
    expect(nextRun(timing, new Date('2027-01-01T00:00:00Z'))).toBeNull();
  });
});

describe("next run: pretix's examples and its past-time bug", () => {
  const berlin = (rule: string, time: string) => ({ rule, time, zone: 'Europe/Berlin' });

  test('the documented example: weekly TU,WE,TH at 04:00 Berlin, on Wednesday noon → Thursday 02:00Z', () => {
    const timing = berlin('DTSTART:20230118T000000\nRRULE:FREQ=WEEKLY;BYDAY=TU,WE,TH', '04:00:00');
    expect(nextRun(timing, new Date('2023-10-25T12:00:00Z'))?.at.toISOString()).toBe(
      '2023-10-26T02:00:00.000Z',
    );
  });

  test('daily 02:30: at 03:00 local it is tomorrow, at 02:00 local still today', () => {
    const timing = berlin('DTSTART:20230118T000000\nRRULE:FREQ=DAILY;INTERVAL=1;WKST=MO', '02:30:00');
    expect(nextRun(timing, new Date('2023-01-18T02:00:00Z'))?.local).toBe('2023-01-19T02:30:00+01:00');
    expect(nextRun(timing, new Date('2023-01-18T01:00:00Z'))?.local).toBe('2023-01-18T02:30:00+01:00');
  });

  test('a DTSTART time-of-day later than the schedule time never yields a run in the past', () => {
    const timing = berlin('DTSTART:20230118T120000\nRRULE:FREQ=DAILY', '04:00:00');
    const now = new Date('2027-05-05T08:00:00Z'); // 10:00 local
    expect(nextRun(timing, now)?.local).toBe('2027-05-06T04:00:00+02:00');
  });

  test('exactly at the run time, the next run is the following one (strictly after now)', () => {
    const timing = berlin(DAILY_2027, '04:00:00');
    expect(nextRun(timing, new Date('2027-05-05T02:00:00Z'))?.local).toBe('2027-05-06T04:00:00+02:00');
  });
});

describe('a rule without DTSTART', () => {
  test('gets the given local date at midnight, so the weekday of a weekly rule stays put', () => {
    expect(withStart('RRULE:FREQ=WEEKLY', { year: 2027, month: 3, day: 3 })).toBe(
      'DTSTART:20270303T000000\nRRULE:FREQ=WEEKLY',
    );
    expect(withStart('FREQ=DAILY', { year: 2027, month: 3, day: 3 })).toBe(
      'DTSTART:20270303T000000\nRRULE:FREQ=DAILY',
    );
    expect(withStart(' DTSTART:20230118\nRRULE:FREQ=DAILY\n', { year: 2027, month: 3, day: 3 })).toBe(
      'DTSTART:20230118\nRRULE:FREQ=DAILY',
    );
  });
});

describe('rule validation with pretix messages', () => {
  const message = (rule: string) => {
    try {
      parseScheduleRule(rule);
      return 'valid';
    } catch (error) {
      return (error as Error).message;
    }
  };
  const START = 'DTSTART:20230118T000000\n';

  test.each([
    ['invalid content', 'Not a valid rrule.'],
    ['', 'Not a valid rrule.'],
    ['   \n ', 'Not a valid rrule.'],
    [`${START}RRULE:FREQ=FORTNIGHTLY`, 'Not a valid rrule.'],
    [`${START}RRULE:INTERVAL=2`, 'Not a valid rrule.'],
    [`${START}RRULE:FREQ=DAILY;INTERVAL=0`, 'Not a valid rrule.'],
    [`${START}RRULE:FREQ=DAILY;FOO=1`, 'Not a valid rrule.'],
    [`${START}RRULE:FREQ=DAILY;COUNT=2;UNTIL=20240101`, 'Not a valid rrule.'],
    [`${START}RRULE:FREQ=DAILY;UNTIL=20240101T000000Z`, 'Not a valid rrule.'],
    [`${START}RRULE:FREQ=WEEKLY;BYDAY=XX`, 'Not a valid rrule.'],
    ['DTSTART:20230230T000000\nRRULE:FREQ=DAILY', 'Not a valid rrule.'],
    [
      `${START}RRULE:FREQ=WEEKLY;BYDAY=TU,WE,TH\nEXRULE:FREQ=WEEKLY;COUNT=4;INTERVAL=2;BYDAY=TU,TH`,
      'Only a single RRULE is allowed, no combination of rules.',
    ],
    [
      `${START}RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY`,
      'Only a single RRULE is allowed, no combination of rules.',
    ],
    [
      `${START}RRULE:FREQ=DAILY\nEXDATE:20230120T000000`,
      'Only a single RRULE is allowed, no combination of rules.',
    ],
    [
      `${START}RRULE:FREQ=DAILY\nRDATE:20230120T000000`,
      'Only a single RRULE is allowed, no combination of rules.',
    ],
    [`${START}RRULE:FREQ=HOURLY`, 'Unsupported FREQ value'],
    [`${START}RRULE:FREQ=MINUTELY`, 'Unsupported FREQ value'],
    [`${START}RRULE:FREQ=WEEKLY;WKST=SU`, 'Unsupported WKST value'],
    [`${START}RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1,2`, 'Only one BYSETPOS value allowed'],
    [`${START}RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=4`, 'BYSETPOS value not allowed, should be 1, 2, 3 or -1'],
    [`${START}RRULE:FREQ=WEEKLY;BYDAY=MO;BYSETPOS=1`, 'BYSETPOS not allowed for this FREQ'],
    [`${START}RRULE:FREQ=MONTHLY;BYMONTHDAY=18`, 'BYMONTHDAY not supported'],
    [`${START}RRULE:FREQ=YEARLY;BYYEARDAY=18`, 'BYYEARDAY not supported'],
    [`${START}RRULE:FREQ=YEARLY;BYEASTER=0`, 'BYEASTER not supported'],
    [`${START}RRULE:FREQ=YEARLY;BYWEEKNO=3`, 'BYWEEKNO not supported'],
    [`${START}RRULE:FREQ=DAILY;BYHOUR=4`, 'BYHOUR not supported'],
    [`${START}RRULE:FREQ=DAILY;BYHOUR=0,12`, 'BYHOUR not supported'],
    [`${START}RRULE:FREQ=DAILY;BYMINUTE=30`, 'BYMINUTE not supported'],
    [`${START}RRULE:FREQ=DAILY;BYSECOND=1`, 'BYSECOND not supported'],
    [
      'DTSTART;TZID=Europe/Berlin:20230118T000000\nRRULE:FREQ=DAILY',
      expect.stringMatching(/^DTSTART must be/),
    ],
    ['DTSTART:20230118T000000Z\nRRULE:FREQ=DAILY', expect.stringMatching(/^DTSTART must be/)],
  ])('%j → %s', (rule, expected) => {
    expect(message(rule)).toEqual(expected);
  });

  test.each([
    `${START}RRULE:FREQ=WEEKLY;BYDAY=TU,WE,TH`,
    `${START}RRULE:FREQ=DAILY;INTERVAL=1;WKST=MO`,
    `${START}RRULE:FREQ=DAILY;COUNT=3`,
    `${START}RRULE:FREQ=DAILY;UNTIL=20240101T000000`,
    `${START}RRULE:FREQ=MONTHLY;BYDAY=1MO`,
    `${START}RRULE:FREQ=MONTHLY;BYDAY=-1FR`,
    `${START}RRULE:FREQ=MONTHLY;BYDAY=MO`,
    `${START}RRULE:FREQ=MONTHLY`,
    `${START}RRULE:FREQ=YEARLY`,
    `${START}RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=1MO`,
    `${START}RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1`,
    `${START}RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYSETPOS=-1`,
    `${START}RRULE:FREQ=DAILY;BYHOUR=0;BYMINUTE=0;BYSECOND=0`,
    `DTSTART;VALUE=DATE:20230118\r\nRRULE:FREQ=DAILY`,
    'DTSTART:20230118\nRRULE:FREQ=WEEKLY;BYMONTH=1,2',
    'RRULE:FREQ=DAILY',
  ])('%j is accepted', (rule) => {
    expect(message(rule)).toBe('valid');
  });
});
