import { z } from 'zod';
import { Datetime, patchOf, PkList } from '../../shared/fields';

export const CheckinListInput = z.object({
  name: z.string().trim().min(1).max(190),
  all_products: z.boolean().default(true),
  limit_products: PkList.default([]),
  include_pending: z.boolean().default(false),
  allow_multiple_entries: z.boolean().default(false),
  allow_entry_after_exit: z.boolean().default(true),
});
export type CheckinListInput = z.infer<typeof CheckinListInput>;
export const CheckinListPatch = patchOf(CheckinListInput);
export type CheckinListPatch = z.infer<typeof CheckinListPatch>;

/** Body of …/redeem/; pretix's other keys (nonce, questions_supported, answers) are accepted and ignored. */
export const RedeemInput = z.object({
  type: z.enum(['entry', 'exit']).default('entry'),
  datetime: Datetime.nullable().default(null),
  force: z.boolean().default(false),
  ignore_unpaid: z.boolean().default(false),
  gate_name: z.string().max(190).nullable().default(null),
  device_name: z.string().max(190).nullable().default(null),
});
export type RedeemInput = z.infer<typeof RedeemInput>;
