import { z } from 'zod';
import { isEmailAddress } from '../../shared/email';
import { isValidZone } from './next-run';
import { parseScheduleRule, RuleError } from './schedule-rule';

/** pretix's enabled instance languages (pt-br and gl are incubating and hidden there too). */
export const LOCALES = [
  'en',
  'de',
  'de-informal',
  'ar',
  'eu',
  'ca',
  'zh-hans',
  'zh-hant',
  'cs',
  'hr',
  'da',
  'nl',
  'nl-informal',
  'fr',
  'fi',
  'el',
  'he',
  'id',
  'it',
  'ja',
  'lv',
  'nb-no',
  'pl',
  'pt-pt',
  'ro',
  'ru',
  'sk',
  'sv',
  'es',
  'tr',
  'uk',
] as const;

export const MAX_RECIPIENTS = 25;
export const DEFAULT_TIMEZONE = 'UTC';

const notAChoice = (value: unknown) => `"${String(value)}" is not a valid choice.`;

/**
 * A comma-separated address list as pretix's multimail validator reads it: at most 25 parts, each (trimmed) a
 * valid address, so a trailing comma is an error. Stored without spaces.
 */
const Recipients = z.string().transform((value, ctx) => {
  if (value.trim() === '') return '';
  const parts = value.split(',');
  if (parts.length > MAX_RECIPIENTS) {
    ctx.addIssue({ code: 'custom', message: 'Please enter less than 25 recipients.' });
    return z.NEVER;
  }
  if (parts.some((part) => !isEmailAddress(part.trim()))) {
    ctx.addIssue({ code: 'custom', message: 'Enter a valid email address.' });
    return z.NEVER;
  }
  return value.replace(/\s+/g, '');
});

const Time = z.string().transform((value, ctx) => {
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?$/.exec(value.trim());
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59 || Number(match[3] ?? 0) > 59) {
    ctx.addIssue({
      code: 'custom',
      message: 'Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]].',
    });
    return z.NEVER;
  }
  return `${match[1]!.padStart(2, '0')}:${match[2]}:${match[3] ?? '00'}`;
});

const Rule = z
  .string()
  .min(1)
  .transform((value, ctx) => {
    try {
      parseScheduleRule(value);
      return value.trim();
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  });

const Subject = z
  .string()
  .min(1)
  .max(250)
  // Used verbatim as a mail header: a line break would let the body of the API request write headers.
  .refine((value) => !/[\r\n]/.test(value), 'The subject must not contain line breaks.');

const Locale = z.string().refine((value) => (LOCALES as readonly string[]).includes(value), {
  error: (issue) => notAChoice(issue.input),
});

const Timezone = z.string().refine(isValidZone, { error: (issue) => notAChoice(issue.input) });

/** The writable fields of both levels; `timezone` is dropped for event-level schedules. */
const fields = {
  export_identifier: z.string().min(1),
  export_form_data: z.unknown().optional(),
  locale: Locale.default('en'),
  mail_additional_recipients: Recipients.optional(),
  mail_additional_recipients_cc: Recipients.optional(),
  mail_additional_recipients_bcc: Recipients.optional(),
  mail_subject: Subject,
  mail_template: z.string().min(1),
  schedule_rrule: Rule,
  schedule_rrule_time: Time,
  timezone: Timezone.default(DEFAULT_TIMEZONE),
};

/**
 * POST and PUT. As in pretix (DRF), PUT needs the required fields and resets `locale`/`timezone` to their
 * defaults when omitted, while omitted recipients and form data keep their stored values.
 */
export const ScheduleInput = z.object(fields);
export type ScheduleInput = z.output<typeof ScheduleInput>;

/** PUT: like POST, but an omitted rule keeps the stored one (DRF keeps omitted optional fields). */
export const ScheduleReplace = ScheduleInput.extend({ schedule_rrule: Rule.optional() });
export type ScheduleReplace = z.output<typeof ScheduleReplace>;

/** PATCH: whatever is sent, nothing defaulted. */
export const SchedulePatch = z.object({
  ...fields,
  export_identifier: fields.export_identifier.optional(),
  locale: Locale.optional(),
  mail_subject: Subject.optional(),
  mail_template: fields.mail_template.optional(),
  schedule_rrule: Rule.optional(),
  schedule_rrule_time: Time.optional(),
  timezone: Timezone.optional(),
});
export type SchedulePatch = z.output<typeof SchedulePatch>;

export const PREVIEW_MAX = 50;

export const PreviewQuery = z.object({
  count: z
    .string()
    .regex(/^\d+$/, 'A valid integer is required.')
    .transform(Number)
    .pipe(z.number().int().min(1).max(PREVIEW_MAX))
    .default(10),
});
