import type { Request } from 'express';
import type { z } from 'zod';
import type { Actor } from '../../core/context';
import type { Latchkey } from '../../latchkey';

export type Method = 'get' | 'post' | 'patch' | 'delete';

export interface EndpointInput<Q, B> {
  params: Record<string, string>;
  query: Q;
  body: B;
  /** Who acts, for the audit log: the integration key. */
  by: Actor;
  req: Request;
}

/**
 * One route of the backend API: everything the router needs to serve it and the
 * OpenAPI document needs to describe it. `path` uses OpenAPI's `{param}` syntax.
 */
export interface Endpoint<
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  tag: 'API keys' | 'Users' | 'Organizations';
  /** Query parameters (strict: unknown ones are refused). */
  query?: Q;
  /** JSON body (strict: unknown fields are refused). */
  body?: B;
  response: R;
  /** Error statuses this route answers besides 401 and 429 (shared by every route). */
  errors: number[];
  /** Library field names (camelCase) whose wire name is not their snake_case. */
  fieldNames?: Record<string, string>;
  run(
    latchkey: Latchkey,
    input: EndpointInput<z.output<Q>, z.output<B>>,
  ): Promise<z.input<R> | JsonText> | z.input<R> | JsonText;
}

/** Express's `etag fn` setting: the ETag of a response body (undefined when ETags are off). */
export type EtagFunction = (body: Buffer, encoding?: BufferEncoding) => string | undefined;

/**
 * An answer already serialized, for hot paths that can reuse one (see keys/validate.ts):
 * its bytes, and its ETag once asked for, are worked out once rather than per response.
 */
export class JsonText {
  readonly bytes: Buffer;
  private etagOf: { fn: EtagFunction; value: string | undefined } | null = null;

  constructor(text: string) {
    this.bytes = Buffer.from(text, 'utf8');
  }

  /** What `fn` (the app's `etag fn`) makes of these bytes, as res.send would. */
  etag(fn: EtagFunction | undefined): string | undefined {
    if (typeof fn !== 'function') return undefined;
    if (this.etagOf?.fn !== fn) this.etagOf = { fn, value: fn(this.bytes) };
    return this.etagOf.value;
  }
}

/** Keeps each endpoint's types checked where it is written, then erases them for the table. */
export function defineEndpoint<Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  endpoint: Endpoint<Q, B, R>,
): Endpoint {
  return endpoint as unknown as Endpoint;
}
