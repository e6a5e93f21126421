import { z } from 'zod';
import { PERMISSION_FLAGS, type Permission } from '../access/permissions';

function flagShape<T extends z.ZodType>(schema: () => T): Record<Permission, T> {
  return Object.fromEntries(PERMISSION_FLAGS.map((flag) => [flag, schema()])) as Record<Permission, T>;
}

/** Body of POST/PUT …/teams/; PATCH uses the partial form. Unknown keys are ignored, as DRF does. */
export const TeamInput = z.object({
  name: z.string().trim().min(1).max(190),
  all_events: z.boolean().default(false),
  limit_events: z.array(z.string()).default([]),
  require_2fa: z.boolean().default(false),
  ...flagShape(() => z.boolean().default(false)),
});

export type TeamInput = z.infer<typeof TeamInput>;
export type TeamPatch = z.infer<typeof TeamPatch>;

export const TeamPatch = z.object({
  name: z.string().trim().min(1).max(190).optional(),
  all_events: z.boolean().optional(),
  limit_events: z.array(z.string()).optional(),
  require_2fa: z.boolean().optional(),
  ...flagShape(() => z.boolean().optional()),
});

export const TokenInput = z.object({ name: z.string().trim().min(1).max(190) });
export type TokenInput = z.infer<typeof TokenInput>;
