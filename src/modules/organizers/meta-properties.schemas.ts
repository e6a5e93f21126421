import { z } from 'zod';

/** Body of POST/PUT …/meta_properties/; PATCH uses the partial form. Unknown keys are ignored, as DRF does. */
export const MetaPropertyInput = z.object({
  name: z.string().trim().min(1).max(50),
  default: z.string().max(10_000).default(''),
  required: z.boolean().default(false),
  allowed_values: z.array(z.string().min(1)).nullable().default(null),
  protected: z.boolean().default(false),
  filter_allowed: z.boolean().default(true),
});
export type MetaPropertyInput = z.infer<typeof MetaPropertyInput>;

export const MetaPropertyPatch = MetaPropertyInput.partial();
export type MetaPropertyPatch = z.infer<typeof MetaPropertyPatch>;
