import { z } from 'zod';
import { patchOf, PkList, Position } from '../../shared/fields';

export const QuotaInput = z.object({
  name: z.string().trim().min(1).max(200),
  size: Position.nullable(),
  items: PkList.default([]),
  variations: PkList.default([]),
});
export type QuotaInput = z.infer<typeof QuotaInput>;
export const QuotaPatch = patchOf(QuotaInput);
export type QuotaPatch = z.infer<typeof QuotaPatch>;
