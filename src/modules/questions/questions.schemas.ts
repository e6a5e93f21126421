import { z } from 'zod';
import { I18nOptional, I18nString, patchOf, PkList, Position } from '../../shared/fields';

/** pretix's question type codes. */
export const QUESTION_TYPES = [
  'S',
  'T',
  'N',
  'B',
  'C',
  'M',
  'D',
  'H',
  'W',
  'EMAIL',
  'TEL',
  'CC',
  'F',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const CHOICE_TYPES: readonly QuestionType[] = ['C', 'M'];

const Identifier = z
  .string()
  .trim()
  .min(1)
  .max(190)
  .regex(/^[a-zA-Z0-9._-]+$/, 'This value may contain only letters, numbers, dots, dashes and underscores.');

export const OptionInput = z.object({
  answer: I18nString,
  identifier: Identifier.optional(),
  position: Position.optional(),
});

export type OptionInput = z.infer<typeof OptionInput>;
export const OptionPatch = patchOf(OptionInput);
export type OptionPatch = z.infer<typeof OptionPatch>;

export const QuestionInput = z.object({
  question: I18nString,
  help_text: I18nOptional.default({}),
  type: z.enum(QUESTION_TYPES),
  required: z.boolean().default(false),
  position: Position.default(0),
  identifier: Identifier.optional(),
  items: PkList.default([]),
  options: z.array(OptionInput).default([]),
});
export type QuestionInput = z.infer<typeof QuestionInput>;

/** Options are changed through their own endpoint in pretix; a PATCH naming them is refused. */
export const QuestionPatch = patchOf(QuestionInput.omit({ options: true }).extend({ options: z.unknown() }));
export type QuestionPatch = z.infer<typeof QuestionPatch>;
