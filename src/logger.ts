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

export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'latchkey' },
    },
    options.destination,
  );
}
