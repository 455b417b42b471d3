import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ScopeCatalog, type ScopesOption } from './core/scopes';
import { trustProxy } from './trust-proxy';

/** Every setting comes from the environment; `.env.example` documents each one. */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

/**
 * The product's scopes: inline JSON (starting with [ or {) or the path of a JSON file, as
 * createLatchkey's `scopes` option takes them; checked the way the library checks them.
 */
const scopes = z.string().transform((value, ctx): ScopesOption => {
  const text = value.trim();
  try {
    const json = /^[[{]/.test(text) ? text : readFileSync(text, 'utf8');
    const option = JSON.parse(json) as ScopesOption;
    new ScopeCatalog(option);
    return option;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export const CONFIG_SCHEMA = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('./data/latchkey.db'),
  // Set either one to use MongoDB instead of the SQLite file.
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(
      /^mongodb(\+srv)?:\/\/\S+$/,
      'must be a mongodb:// or mongodb+srv:// URL (the SQLite file is set with DATABASE_PATH)',
    )
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** strict: every validation sees every committed change; bounded: within CACHE_TTL_MS. */
  CONSISTENCY: z.enum(['strict', 'bounded']).default('bounded'),
  CACHE_TTL_MS: int(0, 3_600_000).default(10_000),
  CACHE_MAX_ENTRIES: int(1, 10_000_000).default(10_000),
  USAGE_FLUSH_INTERVAL_MS: int(100, 3_600_000).default(5_000),
  BCRYPT_COST: int(4, 15).default(12),
  TRUST_PROXY: trustProxy.default(false),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  /** Signs page session cookies; required when NODE_ENV=production. */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_IDLE_MINUTES: int(1, 43_200).default(30),
  SESSION_ABSOLUTE_HOURS: int(1, 8_760).default(12),
  /** Where the hosted key pages are mounted, e.g. / or /account. */
  PAGES_BASE_PATH: z
    .string()
    .regex(/^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/, 'must be / or a path like /account')
    .default('/'),
  /** Failed API key checks one IP may make per minute before it gets 429; 0 turns this off. */
  INVALID_KEY_LIMIT_PER_MINUTE: int(0, 1_000_000).default(60),
  /** Self sign-ups one IP may make per hour on the hosted pages; 0 turns this off. */
  SIGNUP_LIMIT_PER_HOUR: int(0, 1_000_000).default(10),
  /** Where validation rate-limit counts live: this process, or the database (shared). */
  RATE_LIMIT_BACKEND: z.enum(['memory', 'store']).default('memory'),
  /** Serve Prometheus metrics at /metrics (or on METRICS_PORT). */
  METRICS_ENABLED: bool.default(true),
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** When set, metrics are served on this port on 127.0.0.1 only, not on the main port. */
  METRICS_PORT: int(1, 65535).optional(),
  /** How long /readyz answers 503 at shutdown before the server stops accepting. */
  SHUTDOWN_DRAIN_MS: int(0, 600_000).default(0),
  /** Send webhooks to loopback, private and link-local addresses (for tests and closed networks). */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
  /** How long one webhook delivery attempt may take. */
  WEBHOOK_TIMEOUT_MS: int(1_000, 60_000).default(10_000),
  /** How often this process looks for webhook deliveries that are due; 0 = it sends none. */
  WEBHOOK_DELIVERY_INTERVAL_MS: int(0, 3_600_000).default(1_000),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb or 1mb')
    .default('100kb'),
  /** Where the server is reached from outside, e.g. https://keys.example.com: links in emails. */
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'must be an http:// or https:// URL')
    .optional(),
  /** The SMTP server emails go through (smtp:// or smtps://); without it no email is sent. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The sender of emails, e.g. "Acme <keys@acme.example>"; required with SMTP_URL. */
  EMAIL_FROM: z.string().min(3).optional(),
  /** How often keys about to expire are looked for, to send reminders; 0 turns this off. */
  EXPIRY_REMINDER_INTERVAL_MS: int(0, 86_400_000).default(3_600_000),
  /** The secret-scanning senders' public keys: a JSON file ({ public_keys: [...] }) ... */
  SECRET_SCANNING_KEYS_FILE: z.string().min(1).optional(),
  /** ... or a URL serving it, e.g. https://api.github.com/meta/public_keys/secret_scanning. */
  SECRET_SCANNING_KEYS_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL')
    .optional(),
  /** The scopes keys may hold (inline JSON or a JSON file); none when unset. */
  SCOPES: scopes.optional(),
});

export type Config = z.output<typeof CONFIG_SCHEMA>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * A setting Latchkey could not start with although it passed validation (a database file
 * that cannot be opened, a port in use): names the variable, keeps the cause's code.
 */
export class StartupError extends Error {
  readonly code: string | undefined;

  constructor(
    readonly variable: string,
    problem: string,
    cause: unknown,
  ) {
    super(`${variable}: ${problem} (${cause instanceof Error ? cause.message : String(cause)})`, {
      cause,
    });
    this.name = 'StartupError';
    this.code = (cause as { code?: string } | null)?.code;
  }
}

/** The SQLite file at DATABASE_PATH could not be opened (or brought up to date) at start-up. */
export const sqliteStartupError = (databasePath: string, cause: unknown): StartupError =>
  new StartupError(
    'DATABASE_PATH',
    `cannot open the SQLite database at ${JSON.stringify(databasePath)}`,
    cause,
  );

/** Reads the configuration; an unset or empty variable takes its default. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(CONFIG_SCHEMA.shape);
  const input = Object.fromEntries(
    known.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]),
  );
  const result = CONFIG_SCHEMA.safeParse(input);
  if (result.success) {
    if (result.data.SMTP_URL && !result.data.EMAIL_FROM)
      throw new ConfigError(['EMAIL_FROM: must be set when SMTP_URL is (the sender of emails)']);
    if (env.NODE_ENV === 'production' && !result.data.SESSION_SECRET) {
      throw new ConfigError([
        'SESSION_SECRET: must be set in production (at least 32 random characters)',
      ]);
    }
    return result.data;
  }
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const secretive = ['SECRET', 'URI', 'URL', 'TOKEN'].some((word) => name.includes(word));
      const value = secretive ? '' : ` (got "${env[name] ?? ''}")`;
      return `${name}: ${issue.message}${value}`;
    }),
  );
}

/**
 * Where MongoDB is, when it is chosen (MONGODB_URI wins over DATABASE_URL), with the
 * variable that said so, named in connection errors: createMongoStore takes it as is.
 */
export function mongoConnectionOf(
  config: Pick<Config, 'MONGODB_URI' | 'DATABASE_URL'>,
): { uri: string; uriSource: 'MONGODB_URI' | 'DATABASE_URL' } | undefined {
  if (config.MONGODB_URI !== undefined)
    return { uri: config.MONGODB_URI, uriSource: 'MONGODB_URI' };
  if (config.DATABASE_URL !== undefined)
    return { uri: config.DATABASE_URL, uriSource: 'DATABASE_URL' };
  return undefined;
}

/** The MongoDB connection string when MongoDB is chosen. */
export const mongoUriOf = (
  config: Pick<Config, 'MONGODB_URI' | 'DATABASE_URL'>,
): string | undefined => mongoConnectionOf(config)?.uri;
