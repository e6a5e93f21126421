import { z } from 'zod';

/**
 * Field types of pretix's API bodies, shared by every resource: i18n strings, money and rates as decimal
 * strings (numbers are accepted too), ISO datetimes, and primary keys.
 */
export const I18nString = z.preprocess(
  (value) => (typeof value === 'string' ? { en: value } : value),
  z
    .record(z.string(), z.string())
    .refine((value) => Object.keys(value).length > 0, 'This field may not be blank.'),
);

export const I18nOptional = z.record(z.string(), z.string());

const DECIMAL = /^-?\d{1,11}(\.\d{1,2})?$/;

/** A decimal with at most two places, normalised to a string with exactly two ("12.5" → "12.50"). */
export const Decimal = z
  .union([z.string().trim(), z.number().transform(String)])
  .refine((value) => DECIMAL.test(value), 'A valid number is required.')
  .transform((value) => Number(value).toFixed(2));

export const NonNegativeDecimal = Decimal.refine(
  (value) => Number(value) >= 0,
  'Ensure this value is greater than or equal to 0.',
);

export const Datetime = z
  .string()
  .refine(
    (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value),
    'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  )
  .transform((value) => new Date(value))
  .refine((date) => !Number.isNaN(date.getTime()), 'Datetime has wrong format.');

export const Pk = z.number().int().positive();

/** Integers stored in Postgres `integer` columns (positions, sizes, priorities). */
export const Int32 = z.number().int().min(-2_147_483_648).max(2_147_483_647);
export const Position = Int32.min(0);

/** A tax rate in percent, as numeric(10,2) holds it. */
export const TaxRate = Decimal.refine(
  (value) => Number(value) >= 0 && Number(value) < 100,
  'Invalid tax rate.',
);
export const PkList = z.array(Pk);

/**
 * The PATCH form of a create schema: every field optional and without its default, so that a partial update
 * never resets a field the client did not send (zod's `.partial()` keeps defaults).
 */
export function patchOf<T extends z.ZodRawShape>(
  schema: z.ZodObject<T>,
): z.ZodType<Partial<z.output<z.ZodObject<T>>>> {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => {
      const bare = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
      return [key, bare.optional()];
    }),
  );
  return z.object(shape) as unknown as z.ZodType<Partial<z.output<z.ZodObject<T>>>>;
}
