import { isMissingFile } from '../../../platform/storage';
import { answersOfPositions, deleteAnswers, groupBy } from '../../orders/orders.repository';
import { answerResource } from '../../orders/orders.resources';
import { answerUploadKey } from '../../questions/answers';
import { jsonObject } from '../json';
import { defineShredder, type Executor, type ShredExportContext } from './define';
import { countOf, eachPosition, inBatches, positionKey, positionsOfEvent, type EventPosition } from './reads';

function fileAnswersOfEvent(db: Executor, eventId: number) {
  return db('question_answers')
    .join('order_positions', 'order_positions.id', 'question_answers.orderposition_id')
    .join('orders', 'orders.id', 'order_positions.order_id')
    .join('questions', 'questions.id', 'question_answers.question_id')
    .where('orders.event_id', eventId)
    .whereNotNull('question_answers.file_key')
    .select(
      'question_answers.id',
      'question_answers.file_key',
      'questions.identifier as question_identifier',
      'orders.code as order_code',
      'order_positions.positionid',
    );
}

type FileAnswer = {
  id: number;
  file_key: string;
  question_identifier: string;
  order_code: string;
  positionid: number;
};

/** Positions in batches, each batch with its answers: {"CODE-posid": [answers by question id]}. */
async function* answersByPosition({ db, event }: ShredExportContext): AsyncGenerator<[string, unknown]> {
  let batch: EventPosition[] = [];
  const flush = async function* (): AsyncGenerator<[string, unknown]> {
    const { answers, options } = await answersOfPositions(
      db,
      batch.map((position) => position.id),
    );
    const byPosition = groupBy(answers, (answer) => answer.orderposition_id);
    const optionsByAnswer = groupBy(options, (option) => option.answer_id);
    for (const position of batch) {
      const own = [...(byPosition.get(position.id) ?? [])].sort((a, b) => a.question_id - b.question_id);
      yield [
        positionKey(position),
        own.map((answer) => answerResource(answer, optionsByAnswer.get(answer.id) ?? [])),
      ];
    }
    batch = [];
  };
  for await (const position of eachPosition(db, event.id)) {
    batch.push(position);
    if (batch.length >= 500) yield* flush();
  }
  if (batch.length > 0) yield* flush();
}

export default defineShredder({
  identifier: 'question_answers',
  verboseName: 'Question answers',
  description: 'This will remove all answers to questions, as well as logged changes to them.',
  async countExport(db, eventId) {
    const uploads = await countOf(fileAnswersOfEvent(db, eventId));
    return { files: 1 + uploads, records: await countOf(positionsOfEvent(db, eventId)) };
  },
  async *files(ctx) {
    const uploads = inBatches<FileAnswer>(
      fileAnswersOfEvent(ctx.db, ctx.event.id),
      'question_answers.id',
      (row) => row.id,
    );
    for await (const upload of uploads) {
      yield {
        name: `${positionKey(upload)}-${upload.question_identifier}-${upload.file_key}`,
        content: async () => {
          try {
            return await ctx.storage.read(answerUploadKey(upload.file_key));
          } catch (error) {
            if (isMissingFile(error)) return null;
            throw error;
          }
        },
      };
    }
    yield { name: 'question-answers.json', content: async () => jsonObject(answersByPosition(ctx)) };
  },
  async erase(db, eventId, options) {
    const deleted = await deleteAnswers(db, eventId, options);
    return { ...deleted, fileKeys: deleted.fileKeys.map(answerUploadKey) };
  },
});
