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

/** Query-string booleans as DRF's filters read them. */
export function queryBoolean(raw: unknown): boolean | undefined {
  if (typeof raw !== 'string') return undefined;
  if (['true', 'True', '1'].includes(raw)) return true;
  if (['false', 'False', '0'].includes(raw)) return false;
  return undefined;
}
