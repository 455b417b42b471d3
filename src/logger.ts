import pino from 'pino';

export type Logger = pino.Logger;

/** Paths whose values are secrets wherever they appear in a log object. */
export const REDACT_PATHS = [
  'authorization',
  'cookie',
  'password',
  'token',
  'apiKeyToken',
  'api_key_token',
  'integrationKey',
  'sessionId',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.token',
  '*.apiKeyToken',
  '*.api_key_token',
  '*.integrationKey',
  '*.sessionId',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/** Field names (any letter case) whose values are secrets at any depth. */
const SECRET_FIELDS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'new_password',
  'newpassword',
  'currentpassword',
  'passwordhash',
  'password_hash',
  'token',
  'apikeytoken',
  'api_key_token',
  'integrationkey',
  'integration_key',
  'sessionid',
  'session_id',
  'secret',
  'setuptoken',
]);
const CENSOR = '[redacted]';
/** Deeper than this a value is dropped rather than searched: logs are not for object graphs. */
const MAX_DEPTH = 12;

/**
 * A copy of plain objects and arrays with secret-named fields censored; other values
 * (errors, dates, buffers) pass through to pino's serializers. The paths above catch
 * the usual places cheaply; this catches a secret nested anywhere else.
 */
export function redactSecrets(value: unknown, depth = 0, path: object[] = []): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (path.includes(value)) return '[Circular]';
  if (depth > MAX_DEPTH) return '[too deep]';
  const isArray = Array.isArray(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (!isArray && proto !== Object.prototype && proto !== null) return value;
  path.push(value);
  const out = isArray
    ? value.map((v) => redactSecrets(v, depth + 1, path))
    : Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          SECRET_FIELDS.has(k.toLowerCase()) ? CENSOR : redactSecrets(v, depth + 1, path),
        ]),
      );
  path.pop();
  return out;
}

export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      formatters: { log: (obj) => redactSecrets(obj) as Record<string, unknown> },
      serializers: {
        err: (err: Error) => redactSecrets({ ...pino.stdSerializers.err(err) }),
      },
      base: { service: 'latchkey' },
    },
    options.destination,
  );
}
