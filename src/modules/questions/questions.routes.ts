import { Router } from 'express';
import type { Config } from '../../config';
import { mountEventResource, mountNestedResource } from '../../http/event-resource';
import type { Scopes } from '../../http/scope';
import type { OptionRow, QuestionRow } from './questions.repository';
import { OptionInput, OptionPatch, QuestionInput, QuestionPatch } from './questions.schemas';
import { optionResource, type QuestionsService } from './questions.service';

/** questions/ and questions/{id}/options/: readable with event access, changed with can_change_items. */
export function questionsRouter(deps: {
  config: Config;
  scopes: Scopes;
  questions: QuestionsService;
}): Router {
  const router = Router({ strict: true });
  const { questions } = deps;
  const guard = deps.scopes.event({ write: 'can_change_items' });
  mountEventResource(router, deps.config.SITE_URL, {
    path: '/questions/',
    guard,
    list: (event) => questions.list(event),
    toResources: (_event, rows: QuestionRow[]) => questions.toResources(rows),
    get: (event, id) => questions.get(event, id),
    create: { schema: QuestionInput, run: (event, input) => questions.create(event, input) },
    update: { schema: QuestionPatch, run: (event, id, input) => questions.update(event, id, input) },
    remove: (event, id) => questions.remove(event, id),
  });
  mountNestedResource(router, deps.config.SITE_URL, {
    path: '/questions/:parent/options/',
    guard,
    checkScope: ({ event, parent }) => questions.checkQuestion(event, parent),
    list: ({ parent }) => questions.options(parent),
    toResources: async (_scope, rows: OptionRow[]) => rows.map(optionResource),
    get: ({ event, parent }, id) => questions.option(event, parent, id),
    create: {
      schema: OptionInput,
      run: ({ event, parent }, input) => questions.createOption(event, parent, input),
    },
    update: {
      schema: OptionPatch,
      run: ({ event, parent }, id, input) => questions.updateOption(event, parent, id, input),
    },
    remove: ({ event, parent }, id) => questions.removeOption(event, parent, id),
  });
  return router;
}
