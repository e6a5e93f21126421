import { z } from 'zod';
import { Datetime, Decimal, NonNegativeDecimal, Pk, PkList, Position, TaxRate } from '../../shared/fields';
import { isCountryCode } from '../questions/answers';

const Email = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter a valid email address.');
const Country = z
  .string()
  .trim()
  .refine((value) => value === '' || isCountryCode(value), {
    error: (issue) => `"${String(issue.input)}" is not a valid choice.`,
  });
const NameParts = z.record(z.string(), z.string());
const text = (max: number) => z.string().max(max);

export const ORDER_STATUSES = ['n', 'p', 'e', 'c'] as const;
export const FEE_TYPES = [
  'payment',
  'shipping',
  'service',
  'cancellation',
  'insurance',
  'late',
  'other',
  'giftcard',
] as const;
export const PAYMENT_STATES = ['created', 'pending', 'confirmed', 'canceled', 'failed', 'refunded'] as const;

export const AnswerCreate = z.object({
  question: Pk,
  answer: z.union([z.string(), z.number(), z.boolean()]).default(''),
  options: PkList.default([]),
});

export const PositionCreate = z.object({
  positionid: Position.min(1).optional(),
  item: Pk,
  variation: Pk.nullable().default(null),
  price: Decimal.nullable().default(null),
  attendee_name: text(255).nullable().default(null),
  attendee_name_parts: NameParts.nullable().default(null),
  attendee_email: Email.nullable().default(null),
  company: text(255).nullable().default(null),
  street: z.string().nullable().default(null),
  zipcode: text(30).nullable().default(null),
  city: text(255).nullable().default(null),
  country: Country.nullable().default(null),
  state: text(255).nullable().default(null),
  secret: z.string().trim().min(1).max(255).optional(),
  addon_to: Position.min(1).nullable().default(null),
  answers: z.array(AnswerCreate).default([]),
  valid_from: Datetime.nullable().default(null),
  valid_until: Datetime.nullable().default(null),
});
export type PositionCreate = z.infer<typeof PositionCreate>;

export const FeeCreate = z.object({
  fee_type: z.enum(FEE_TYPES),
  value: Decimal,
  description: text(190).default(''),
  tax_rate: TaxRate.default('0.00'),
});

export const InvoiceAddressCreate = z.object({
  is_business: z.boolean().default(false),
  company: text(255).default(''),
  name: text(255).default(''),
  name_parts: NameParts.default({}),
  street: z.string().default(''),
  zipcode: text(30).default(''),
  city: text(255).default(''),
  country: Country.default(''),
  state: text(255).default(''),
  vat_id: text(255).default(''),
  vat_id_validated: z.boolean().default(false),
  internal_reference: text(255).default(''),
});
export type InvoiceAddressCreate = z.infer<typeof InvoiceAddressCreate>;

export const PaymentCreate = z.object({
  provider: z.string().trim().min(1).max(190),
  state: z.enum(PAYMENT_STATES),
  amount: NonNegativeDecimal,
  payment_date: Datetime.nullable().default(null),
  info: z.record(z.string(), z.unknown()).default({}),
});

/** Body of POST …/orders/: a complete order, written in one transaction or not at all. */
export const OrderCreate = z.object({
  code: z
    .string()
    .regex(/^[A-Z0-9]{5,16}$/, 'Order codes consist of 5 to 16 upper-case letters and digits.')
    .optional(),
  status: z.enum(['n', 'p']).default('n'),
  testmode: z.boolean().default(false),
  email: Email.nullable().default(null),
  phone: text(50).nullable().default(null),
  locale: z.string().trim().min(2).max(32).default('en'),
  sales_channel: z.string().trim().min(1).max(190).default('web'),
  payment_provider: z.string().trim().min(1).max(190).nullable().default(null),
  payment_date: Datetime.nullable().default(null),
  comment: z.string().default(''),
  checkin_attention: z.boolean().default(false),
  customer_reference: text(190).nullable().default(null),
  invoice_address: InvoiceAddressCreate.nullable().default(null),
  positions: z.array(PositionCreate).min(1, 'An order cannot be empty.'),
  fees: z.array(FeeCreate).default([]),
  payments: z.array(PaymentCreate).optional(),
  send_email: z.boolean().optional(),
});
export type OrderCreate = z.infer<typeof OrderCreate>;

export const MarkCanceled = z.object({
  send_email: z.boolean().optional(),
  cancellation_fee: z.null({ error: 'Cancellation fees are not supported.' }).optional(),
});
