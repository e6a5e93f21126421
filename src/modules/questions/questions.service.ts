import type { Knex } from 'knex';
import { isForeignKeyViolation, isUniqueViolation, type Db } from '../../platform/db';
import { NotFound, PermissionDenied, ValidationError } from '../../shared/errors';
import { randomToken } from '../../shared/ids';
import type { EventRow } from '../access/access.service';
import { updateRow } from '../items/items.repository';
import { requireEventItems } from '../items/items.service';
import {
  itemsOf,
  optionsOf,
  questionsOfEvent,
  replaceQuestionItems,
  type OptionRow,
  type QuestionRow,
} from './questions.repository';
import type { OptionInput, OptionPatch, QuestionInput, QuestionPatch } from './questions.schemas';

const IDENTIFIER_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ3789';

/** pretix generates identifiers like "WY3TP9SL" when the client gives none. */
export function generatedIdentifier(): string {
  return randomToken(8, IDENTIFIER_ALPHABET);
}

export function optionResource(row: OptionRow) {
  return { id: row.id, identifier: row.identifier, answer: row.answer, position: row.position };
}

export function questionResource(row: QuestionRow, items: number[], options: OptionRow[]) {
  return {
    id: row.id,
    question: row.question,
    help_text: row.help_text,
    type: row.type,
    required: row.required,
    items,
    options: options.map(optionResource),
    position: row.position,
    identifier: row.identifier,
  };
}

export type QuestionResource = ReturnType<typeof questionResource>;

/** Questions of one event, the items they are asked for and their answer options. */
export class QuestionsService {
  constructor(private readonly db: Db) {}

  list(event: EventRow): Knex.QueryBuilder {
    return questionsOfEvent(this.db, event.id).orderBy(['position', 'id']);
  }

  async toResources(rows: QuestionRow[]): Promise<QuestionResource[]> {
    const ids = rows.map((row) => row.id);
    const [items, options] = await Promise.all([itemsOf(this.db, ids), optionsOf(this.db, ids)]);
    return rows.map((row) =>
      questionResource(
        row,
        items.get(row.id) ?? [],
        options.filter((option) => option.question_id === row.id),
      ),
    );
  }

  async get(event: EventRow, id: number): Promise<QuestionResource> {
    const row: QuestionRow | undefined = await questionsOfEvent(this.db, event.id).where('id', id).first();
    if (!row) throw new NotFound();
    const [resource] = await this.toResources([row]);
    return resource!;
  }

  private async write<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (error) {
      if (isUniqueViolation(error))
        throw ValidationError.field(
          'identifier',
          'This identifier is already used for a different question.',
        );
      throw error;
    }
  }

  async create(event: EventRow, input: QuestionInput): Promise<QuestionResource> {
    const id = await this.write(async (trx) => {
      const items = await requireEventItems(trx, event.id, input.items, 'items');
      const { items: _items, options, identifier, ...columns } = input;
      const [row] = await trx('questions')
        .insert({
          ...columns,
          event_id: event.id,
          identifier: identifier ?? generatedIdentifier(),
          question: JSON.stringify(columns.question),
          help_text: JSON.stringify(columns.help_text),
        })
        .returning('id');
      const questionId = (row as { id: number }).id;
      await replaceQuestionItems(trx, questionId, items);
      if (options.length > 0) {
        await trx('question_options').insert(
          options.map((option, index) => ({
            question_id: questionId,
            identifier: option.identifier ?? generatedIdentifier(),
            answer: JSON.stringify(option.answer),
            position: option.position ?? index,
          })),
        );
      }
      return questionId;
    });
    return this.get(event, id);
  }

  async update(event: EventRow, id: number, changes: QuestionPatch): Promise<QuestionResource> {
    if (changes.options !== undefined) {
      throw ValidationError.field(
        'options',
        'Updating options via PATCH/PUT is not supported. Please use the dedicated nested endpoint.',
      );
    }
    await this.get(event, id);
    await this.write(async (trx) => {
      const { items, options: _options, ...columns } = changes;
      await updateRow(trx, 'questions', { id, event_id: event.id }, columns);
      if (items) await replaceQuestionItems(trx, id, await requireEventItems(trx, event.id, items, 'items'));
    });
    return this.get(event, id);
  }

  async remove(event: EventRow, id: number): Promise<void> {
    await this.get(event, id);
    try {
      await this.db('questions').where({ id, event_id: event.id }).delete();
    } catch (error) {
      if (isForeignKeyViolation(error))
        throw new PermissionDenied('This question cannot be deleted because it has already been answered.');
      throw error;
    }
  }

  /** Nested options: the question must be one of the event's, else 404. */
  async checkQuestion(event: EventRow, questionId: number): Promise<void> {
    await this.get(event, questionId);
  }

  options(questionId: number): Knex.QueryBuilder {
    return this.db('question_options').where('question_id', questionId).orderBy(['position', 'id']);
  }

  async option(event: EventRow, questionId: number, id: number) {
    await this.get(event, questionId);
    const row: OptionRow | undefined = await this.db('question_options')
      .where({ question_id: questionId, id })
      .first();
    if (!row) throw new NotFound();
    return optionResource(row);
  }

  async createOption(event: EventRow, questionId: number, input: OptionInput) {
    await this.get(event, questionId);
    const [row] = await this.db('question_options')
      .insert({
        question_id: questionId,
        identifier: input.identifier ?? generatedIdentifier(),
        answer: JSON.stringify(input.answer),
        position: input.position ?? 0,
      })
      .returning('id');
    return this.option(event, questionId, (row as { id: number }).id);
  }

  async updateOption(event: EventRow, questionId: number, id: number, changes: OptionPatch) {
    await this.option(event, questionId, id);
    await updateRow(this.db, 'question_options', { id, question_id: questionId }, changes);
    return this.option(event, questionId, id);
  }

  async removeOption(event: EventRow, questionId: number, id: number): Promise<void> {
    await this.option(event, questionId, id);
    try {
      await this.db('question_options').where({ id, question_id: questionId }).delete();
    } catch (error) {
      if (isForeignKeyViolation(error))
        throw new PermissionDenied(
          'This option cannot be deleted because it has already been chosen in an answer.',
        );
      throw error;
    }
  }
}
