import { Router } from 'express';
import type { Config } from '../../config';
import { mountEventResource } from '../../http/event-resource';
import type { Scopes } from '../../http/scope';
import type { Db } from '../../platform/db';
import type { QuestionRow } from './questions.repository';
import { QuestionInput, QuestionPatch } from './questions.schemas';
import { QuestionsService } from './questions.service';

/** questions/ with their options: readable with event access, changed with can_change_items. */
export function questionsRouter(deps: { config: Config; scopes: Scopes; db: Db }): Router {
  const router = Router({ strict: true });
  const questions = new QuestionsService(deps.db);
  mountEventResource(router, deps.config.SITE_URL, {
    path: '/questions/',
    guard: deps.scopes.event({ write: 'can_change_items' }),
    list: (event) => questions.list(event),
    toResources: (_event, rows: QuestionRow[]) => questions.toResources(rows),
    get: (event, id) => questions.get(event, id),
    create: { schema: QuestionInput, run: (event, input) => questions.create(event, input) },
    update: { schema: QuestionPatch, run: (event, id, input) => questions.update(event, id, input) },
    remove: (event, id) => questions.remove(event, id),
  });
  return router;
}
