import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { parseInput } from '../../core/inputs';
import { isLatchkeyError, LatchkeyError } from '../../core/errors';
import type { IntegrationKeyView } from '../../core/integration-keys';
import type { Latchkey } from '../../latchkey';
import type { Logger } from '../../logger';
import { UNAUTHORIZED } from './auth';
import { JsonText, type EtagFunction } from './endpoint';
import { errorAnswer, INTERNAL_ERROR_BODY, type ErrorAnswer } from './errors';
import { validateBody, validateImported, validateNative, type ValidateBody } from './keys/validate';
import { BACKEND_API_PREFIX } from './routes';

/**
 * The backend API's two validation routes on plain node:http, in front of the Express app
 * on the same port: validation is by far the most frequent call, and Express's request
 * and response wrapping costs more than the validation itself. In the bench, a bare
 * Express JSON route took 107 µs of server CPU per request, a bare node:http one 17.5 µs
 * and this path 22-30 µs (docs/benchmarks.md). Same
 * validator, integration-key check, rate limits, error table, JSON shapes and headers as
 * the routes in keys/validate.ts. It takes only the plain case: a POST to the exact path
 * with an uncompressed JSON body in UTF-8. Everything else (other methods, a query string,
 * a trailing slash, other content types or encodings) falls through to Express, which
 * answers it as always.
 */

export interface LeanValidateOptions {
  /** Largest body, as BODY_LIMIT writes it ("100kb"); bigger ones get the same 413. */
  bodyLimit: string;
  /** The headers the app's own middleware (helmet) sets on every answer. */
  headers: Readonly<Record<string, string>>;
  /** The app's `etag fn`, so answers carry the ETag Express would give them. */
  etag: EtagFunction | undefined;
  logger: Logger;
}

/** Answers the request (true) or leaves it untouched for the next handler (false). */
export type LeanHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

type Run = (lk: Latchkey, body: ValidateBody) => JsonText | Promise<JsonText>;

const ROUTES: ReadonlyMap<string, Run> = new Map([
  [`${BACKEND_API_PREFIX}/end_user_api_keys/validate`, validateNative],
  [`${BACKEND_API_PREFIX}/end_user_api_keys/validate_imported`, validateImported],
]);

/** application/json, bare or with charset=utf-8: what express.json() decodes as UTF-8. */
const PLAIN_JSON = /^application\/json\s*(;\s*charset\s*=\s*("?)utf-8\2\s*)?$/i;

/** body-parser's strict JSON: an object or array after any JSON whitespace. */
const FIRST_CHAR = /^[ \t\n\r]*([^ \t\n\r])/;

const isPlainJson = (h: IncomingHttpHeaders): boolean =>
  h['content-encoding'] === undefined &&
  h['content-type'] !== undefined &&
  PLAIN_JSON.test(h['content-type']);

export function createLeanValidate(latchkey: Latchkey, options: LeanValidateOptions): LeanHandler {
  const limit = bytesOf(options.bodyLimit);
  // The headers every answer carries, as the flat [name, value, ...] list writeHead takes:
  // one call, without setHeader's per-header bookkeeping (with the list kept per prepared
  // answer, 28 → 22 µs of CPU per request in the bench; helmet alone sets 12 headers).
  const baseHeaders = [
    ...Object.entries(options.headers).flat(),
    'Content-Type',
    'application/json; charset=utf-8',
  ];
  const headersOf = (bytes: Buffer, etag: string | undefined, extra?: Record<string, string>) => {
    const headers = [...baseHeaders, 'Content-Length', String(bytes.length)];
    if (etag) headers.push('ETag', etag);
    if (extra) headers.push(...Object.entries(extra).flat());
    return headers;
  };
  /** A prepared answer's headers, worked out once, like its bytes and ETag. */
  const preparedHeaders = new WeakMap<JsonText, string[]>();

  const send = (res: ServerResponse, status: number, bytes: Buffer, headers: string[]) => {
    res.writeHead(status, headers);
    res.end(bytes);
  };
  const sendJson = (res: ServerResponse, answer: ErrorAnswer) => {
    const bytes = Buffer.from(JSON.stringify(answer.body), 'utf8');
    send(res, answer.status, bytes, headersOf(bytes, options.etag?.(bytes), answer.headers));
  };
  const fail = (res: ServerResponse, err: unknown) => {
    if (isLatchkeyError(err)) return sendJson(res, errorAnswer(err));
    options.logger.error({ err, method: 'POST' }, 'unhandled error in backend API');
    sendJson(res, { status: 500, body: INTERNAL_ERROR_BODY });
  };

  const validate = (res: ServerResponse, run: Run, text: string) => {
    try {
      const answer = run(latchkey, parseInput(validateBody, parseJson(text)));
      if (answer instanceof Promise)
        answer.then(
          (a) => sendPrepared(res, a),
          (err: unknown) => fail(res, err),
        );
      else sendPrepared(res, answer);
    } catch (err) {
      fail(res, err);
    }
  };
  const sendPrepared = (res: ServerResponse, answer: JsonText) => {
    let headers = preparedHeaders.get(answer);
    if (headers === undefined) {
      headers = headersOf(answer.bytes, answer.etag(options.etag));
      preparedHeaders.set(answer, headers);
    }
    send(res, 200, answer.bytes, headers);
  };

  const readBody = (req: IncomingMessage, res: ServerResponse, run: Run) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      req.resume();
      return fail(res, new LatchkeyError('payload_too_large'));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      failed = true;
      fail(res, new LatchkeyError('payload_too_large'));
    });
    req.on('error', () => {
      if (failed) return;
      failed = true;
      fail(res, LatchkeyError.field('body', 'could not be read'));
    });
    req.on('end', () => {
      if (failed) return;
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      validate(res, run, bytes.toString('utf8'));
    });
  };

  const admit = (
    req: IncomingMessage,
    res: ServerResponse,
    run: Run,
    key: IntegrationKeyView | null,
  ) => {
    if (key) return readBody(req, res, run);
    req.resume();
    sendJson(res, UNAUTHORIZED);
  };

  return (req, res) => {
    if (req.method !== 'POST') return false;
    const run = ROUTES.get(req.url ?? '');
    if (run === undefined || !isPlainJson(req.headers)) return false;
    const key = latchkey.integrationKeys.authenticateInline(req.headers.authorization);
    if (key instanceof Promise) {
      key.then(
        (k) => admit(req, res, run, k),
        (err: unknown) => fail(res, err),
      );
    } else admit(req, res, run, key);
    return true;
  };
}

/** The body as express.json() reads it: empty is {}, a leading BOM is dropped, only objects and arrays. */
function parseJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  const first = FIRST_CHAR.exec(body)?.[1];
  if (first !== '{' && first !== '[') throw notJson();
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw notJson();
  }
}

const notJson = () => LatchkeyError.field('body', 'is not valid JSON');

/** "100kb" → bytes, as body-parser counts them (1 kb = 1024 b). */
export function bytesOf(limit: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(limit.trim());
  if (!match) throw new Error(`body limit ${JSON.stringify(limit)} must look like 100kb or 1mb`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[
    (match[2] ?? 'b').toLowerCase() as 'b'
  ];
  return Math.floor(Number(match[1]) * unit);
}

/**
 * The headers a connect-style middleware sets on every answer, found by running it once
 * on a stand-in response: for helmet, whose headers do not depend on the request.
 */
export function headersSetBy(
  middleware: (req: IncomingMessage, res: ServerResponse, next: () => void) => void,
): Record<string, string> {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: unknown) => void headers.set(name, String(value)),
    removeHeader: (name: string) => void headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  };
  const req = { headers: {}, method: 'GET', url: '/' };
  // Stand-ins with only what such a middleware touches.
  middleware(req as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return Object.fromEntries(headers);
}
