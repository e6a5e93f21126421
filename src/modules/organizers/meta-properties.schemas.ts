import { z } from 'zod';

const fields = {
  name: z.string().trim().min(1).max(50),
  default: z.string().max(10_000),
  required: z.boolean(),
  allowed_values: z.array(z.string().min(1)).nullable(),
  protected: z.boolean(),
  filter_allowed: z.boolean(),
};

/** Body of POST/PUT …/meta_properties/. Unknown keys are ignored, as DRF does. */
export const MetaPropertyInput = z.object({
  ...fields,
  default: fields.default.default(''),
  required: fields.required.default(false),
  allowed_values: fields.allowed_values.default(null),
  protected: fields.protected.default(false),
  filter_allowed: fields.filter_allowed.default(true),
});
export type MetaPropertyInput = z.infer<typeof MetaPropertyInput>;

/** PATCH: only what is sent changes (zod's partial() would still fill in the defaults). */
export const MetaPropertyPatch = z.object(fields).partial();
export type MetaPropertyPatch = z.infer<typeof MetaPropertyPatch>;
