import { z } from 'zod';
import { Int32, Pk } from '../../shared/fields';

export const WaitingListInput = z.object({
  item: Pk,
  variation: Pk.nullable().default(null),
  email: z
    .string()
    .trim()
    .max(254)
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter a valid email address.'),
  name: z.string().max(255).nullable().default(null),
  name_parts: z.record(z.string(), z.string()).nullable().default(null),
  phone: z.string().max(50).nullable().default(null),
  locale: z.string().trim().min(2).max(32).default('en'),
  priority: Int32.default(0),
});
export type WaitingListInput = z.infer<typeof WaitingListInput>;
