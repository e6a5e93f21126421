import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((value) => value === 'true' || value === '1');

/** Every environment key tixport reads. Nothing else in the code base touches process.env. */
const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/tixport'),
    DATABASE_POOL_MAX: z.coerce.number().int().positive().default(10),
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z.string().min(1).default('tixport'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8000),
    // Empty, as .env.example has it, means "derive from PORT" like an unset key.
    SITE_URL: z.preprocess((value) => (value === '' ? undefined : value), z.string().url().optional()),
    STORAGE_DRIVER: z.enum(['fs', 's3']).default('fs'),
    STORAGE_DIR: z.string().min(1).default('./var/files'),
    S3_BUCKET: z.string().default(''),
    S3_ENDPOINT: z.string().default(''),
    S3_REGION: z.string().default('us-east-1'),
    S3_ACCESS_KEY_ID: z.string().default(''),
    S3_SECRET_ACCESS_KEY: z.string().default(''),
    S3_FORCE_PATH_STYLE: booleanFromEnv.default(true),
    MAIL_URL: z.string().default(''),
    MAIL_DIR: z.string().min(1).default('./var/mail'),
    MAIL_FROM: z.string().min(3).default('tixport <noreply@localhost>'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    EXPORT_TTL: z.coerce
      .number()
      .int()
      .positive()
      .default(24 * 3600),
    EXPORT_MAX_ACTIVE_PER_CLIENT: z.coerce.number().int().positive().default(2),
    EXPORT_MAX_ATTEMPTS: z.coerce.number().int().positive().default(3),
    WORKER_CONCURRENCY: z.coerce.number().int().positive().default(2),
    EXPORT_LOCK_MS: z.coerce.number().int().min(1000).default(60_000),
    EXPORT_RECONCILE_MS: z.coerce.number().int().min(100).default(60_000),
    // Results larger than this go out as a download link (valid 7 days) instead of an attachment.
    SCHEDULED_EXPORT_ATTACH_MAX: z.coerce
      .number()
      .int()
      .min(0)
      .default(10 * 1024 * 1024),
    SCHEDULED_EXPORT_TICK_MS: z.coerce.number().int().min(100).default(60_000),
    SCHEDULED_EXPORT_RETRY_DELAY_MS: z.coerce.number().int().min(0).default(30_000),
    EXPORT_CLEANUP_MS: z.coerce.number().int().min(100).default(300_000),
    /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; open otherwise. */
    METRICS_TOKEN: z.string().default(''),
    /** When set, the queue dashboard at /admin/queues/ is on, behind HTTP basic auth as `admin`. */
    ADMIN_PASSWORD: z.string().default(''),
  })
  .refine((raw) => raw.STORAGE_DRIVER !== 's3' || raw.S3_BUCKET !== '', {
    message: 'S3_BUCKET is required when STORAGE_DRIVER=s3',
    path: ['S3_BUCKET'],
  })
  .transform((raw) => ({
    ...raw,
    SITE_URL: (raw.SITE_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, ''),
  }));

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export class ConfigError extends Error {}

/** Parses the environment once; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return Object.freeze(result.data);
}

/** Every key the schema knows, for the check that .env.example documents each of them. */
export const CONFIG_KEYS: readonly string[] = Object.keys(ConfigSchema.in.shape);
