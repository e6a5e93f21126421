import type { Knex } from 'knex';
import type { Db } from '../../platform/db';
import type { QuestionType } from './questions.schemas';

type Executor = Db | Knex.Transaction;

export interface QuestionRow {
  id: number;
  event_id: number;
  question: Record<string, string>;
  help_text: Record<string, string>;
  identifier: string;
  type: QuestionType;
  required: boolean;
  position: number;
}

export interface OptionRow {
  id: number;
  question_id: number;
  identifier: string;
  answer: Record<string, string>;
  position: number;
}

export function questionsOfEvent(db: Executor, eventId: number): Knex.QueryBuilder {
  return db('questions').where('event_id', eventId).select('*');
}

export async function optionsOf(db: Executor, questionIds: number[]): Promise<OptionRow[]> {
  if (questionIds.length === 0) return [];
  return db('question_options').whereIn('question_id', questionIds).orderBy(['position', 'id']);
}

/** question id → item ids it is asked for. */
export async function itemsOf(db: Executor, questionIds: number[]): Promise<Map<number, number[]>> {
  const rows: { question_id: number; item_id: number }[] = questionIds.length
    ? await db('question_items').whereIn('question_id', questionIds).orderBy('item_id')
    : [];
  const byQuestion = new Map<number, number[]>(questionIds.map((id) => [id, []]));
  for (const row of rows) byQuestion.get(row.question_id)?.push(row.item_id);
  return byQuestion;
}

export async function replaceQuestionItems(trx: Knex.Transaction, questionId: number, itemIds: number[]) {
  await trx('question_items').where('question_id', questionId).delete();
  if (itemIds.length > 0)
    await trx('question_items').insert(itemIds.map((item_id) => ({ question_id: questionId, item_id })));
}

export type QuestionWithRelations = QuestionRow & { items: Set<number>; options: OptionRow[] };

/** Every question of the event with the items it is asked for and its options, for validating answers. */
export async function questionsWithRelations(
  db: Executor,
  eventId: number,
): Promise<Map<number, QuestionWithRelations>> {
  const rows: QuestionRow[] = await questionsOfEvent(db, eventId).orderBy(['position', 'id']);
  const ids = rows.map((row) => row.id);
  const [items, options] = await Promise.all([itemsOf(db, ids), optionsOf(db, ids)]);
  return new Map(
    rows.map((row) => [
      row.id,
      {
        ...row,
        items: new Set(items.get(row.id) ?? []),
        options: options.filter((option) => option.question_id === row.id),
      },
    ]),
  );
}
