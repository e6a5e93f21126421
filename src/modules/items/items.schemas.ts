import { z } from 'zod';
import {
  I18nOptional,
  I18nString,
  NonNegativeDecimal,
  patchOf,
  Pk,
  Position,
  TaxRate,
} from '../../shared/fields';

export const CategoryInput = z.object({
  name: I18nString,
  description: I18nOptional.default({}),
  position: Position.default(0),
  is_addon: z.boolean().default(false),
});
export type CategoryInput = z.infer<typeof CategoryInput>;
export const CategoryPatch = patchOf(CategoryInput);
export type CategoryPatch = z.infer<typeof CategoryPatch>;

export const VariationInput = z.object({
  value: I18nString,
  default_price: NonNegativeDecimal.nullable().default(null),
  active: z.boolean().default(true),
  position: Position.default(0),
});
export type VariationInput = z.infer<typeof VariationInput>;
export const VariationPatch = patchOf(VariationInput);
export type VariationPatch = z.infer<typeof VariationPatch>;

export const ItemInput = z.object({
  name: I18nString,
  description: I18nOptional.default({}),
  category: Pk.nullable().default(null),
  default_price: NonNegativeDecimal,
  tax_rate: TaxRate.default('0.00'),
  admission: z.boolean().default(true),
  active: z.boolean().default(true),
  position: Position.default(0),
  variations: z.array(VariationInput).default([]),
});
export type ItemInput = z.infer<typeof ItemInput>;

/** Variations are changed through their nested endpoint, as in pretix; a PATCH naming them is refused. */
export const ItemPatch = patchOf(ItemInput.omit({ variations: true }).extend({ variations: z.unknown() }));
export type ItemPatch = z.infer<typeof ItemPatch>;
