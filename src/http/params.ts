import type { Request } from 'express';
import { z } from 'zod';
import { NotFound } from '../shared/errors';

/** Path ids are integers; anything else cannot name an object, so it is a 404 and never a 500. */
export const ObjectId = z
  .string()
  .regex(/^\d{1,15}$/)
  .transform(Number);

/** The integer id in path parameter `name`, or 404 (with pretix's message for the model, when given). */
export function idParam(req: Request, name = 'id', notFoundDetail?: string): number {
  const parsed = ObjectId.safeParse(req.params[name]);
  if (!parsed.success) throw new NotFound(notFoundDetail);
  return parsed.data;
}
