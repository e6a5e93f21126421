import { parseIsoDate, withinSupportedYears } from '../../shared/api-datetime';
import type { OptionRow, QuestionRow } from './questions.repository';

/** What the client sent for one question. */
export interface AnswerInput {
  answer: string | number | boolean;
  options: number[];
}

/** The cleaned answer as stored: text, chosen options and, for file questions, the upload key. */
export interface CleanAnswer {
  answer: string;
  options: OptionRow[];
  fileKey: string | null;
}

export class AnswerError extends Error {
  constructor(
    readonly field: 'answer' | 'options',
    message: string,
  ) {
    super(message);
  }
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** ISO 3166-1 alpha-2 codes that name a real region (ICU answers unknown codes with the code itself). */
export function isCountryCode(value: string): boolean {
  if (!/^[A-Z]{2}$/.test(value)) return false;
  try {
    return regionNames.of(value) !== value;
  } catch {
    return false;
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ()/.-]{4,30}$/;

function firstText(value: Record<string, string>): string {
  return value.en ?? Object.values(value)[0] ?? '';
}

/**
 * Validates an answer against its question's type the way pretix's clean_answer does, and normalises it:
 * booleans to "True"/"False", dates to YYYY-MM-DD, datetimes to ISO UTC, choice answers to option texts.
 */
export function cleanAnswer(
  question: QuestionRow & { options: OptionRow[] },
  input: AnswerInput,
): CleanAnswer {
  const text = typeof input.answer === 'string' ? input.answer.trim() : String(input.answer);
  const plain = (answer: string): CleanAnswer => ({ answer, options: [], fileKey: null });
  switch (question.type) {
    case 'C':
    case 'M': {
      if (input.options.length === 0)
        throw new AnswerError('options', 'You need to specify options if the question is of a choice type.');
      if (question.type === 'C' && input.options.length > 1)
        throw new AnswerError('options', 'You can specify at most one option for this question.');
      const byId = new Map(question.options.map((option) => [option.id, option]));
      const chosen = [...new Set(input.options)].map((id) => byId.get(id));
      if (chosen.some((option) => option === undefined))
        throw new AnswerError('options', 'The specified option does not belong to this question.');
      const options = chosen as OptionRow[];
      return { answer: options.map((option) => firstText(option.answer)).join(', '), options, fileKey: null };
    }
    case 'B':
      if (input.answer === true || ['true', 'True'].includes(text)) return plain('True');
      if (input.answer === false || ['false', 'False'].includes(text)) return plain('False');
      throw new AnswerError('answer', 'Please specify "true" or "false" for boolean questions.');
    case 'N':
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw new AnswerError('answer', 'Invalid number input.');
      return plain(text);
    case 'D':
      if (!parseIsoDate(text)) throw new AnswerError('answer', 'Invalid date input.');
      return plain(text);
    case 'H':
      if (!/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(text))
        throw new AnswerError('answer', 'Invalid time input.');
      return plain(text.length === 5 ? `${text}:00` : text);
    case 'W': {
      const parsed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)
        ? new Date(text)
        : null;
      if (!parsed || Number.isNaN(parsed.getTime()) || !withinSupportedYears(parsed))
        throw new AnswerError('answer', 'Invalid datetime input.');
      return plain(parsed.toISOString().replace('.000Z', 'Z'));
    }
    case 'EMAIL':
      if (!EMAIL.test(text)) throw new AnswerError('answer', 'Enter a valid email address.');
      return plain(text);
    case 'TEL':
      if (!PHONE.test(text)) throw new AnswerError('answer', 'Enter a valid phone number.');
      return plain(text);
    case 'CC':
      if (!isCountryCode(text.toUpperCase())) throw new AnswerError('answer', 'Unknown country code.');
      return plain(text.toUpperCase());
    case 'F': {
      // Files are referenced as pretix's upload API hands them out: "file:<id>".
      const match = /^file:([A-Za-z0-9._-]{1,200})$/.exec(text);
      if (!match) throw new AnswerError('answer', 'The submitted file upload reference is invalid.');
      return { answer: text, options: [], fileKey: match[1]! };
    }
    case 'S':
    case 'T':
      if (text === '') throw new AnswerError('answer', 'This field may not be blank.');
      return plain(text);
  }
}

/**
 * Where the file behind a file answer ("file:<id>") is stored. The id is hex-encoded: any id the upload API
 * accepts becomes a safe, collision-free storage key.
 */
export function answerUploadKey(fileKey: string): string {
  return `uploads/answers/${Buffer.from(fileKey, 'utf8').toString('hex')}`;
}
