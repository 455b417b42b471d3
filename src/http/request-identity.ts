import { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { ApiKeyIdentity } from '../core/identity';

/**
 * Where `req.apiKey` lives. Express swaps every request's prototype, which leaves each
 * request object with a hidden class of its own: adding a property to one makes V8
 * build a new hidden class and copy every property descriptor, on every request. So
 * `apiKey` is an accessor on Node's request prototype, backed by a WeakMap: it reads and
 * writes like a plain property, and the entry goes with the request.
 *
 * The WeakMap hangs off the prototype under a registered symbol, so every copy of this
 * module in a process (two installed versions, or test runners that reload modules)
 * reads and writes the same one.
 */
const STORE = Symbol.for('latchkey.requestIdentities');

type Prototype = typeof IncomingMessage.prototype & {
  [STORE]?: WeakMap<object, ApiKeyIdentity>;
};
const prototype = IncomingMessage.prototype as Prototype;

function sharedIdentities(): WeakMap<object, ApiKeyIdentity> {
  const existing = prototype[STORE];
  if (existing) return existing;
  const identities = new WeakMap<object, ApiKeyIdentity>();
  Object.defineProperty(prototype, STORE, { value: identities });
  Object.defineProperty(prototype, 'apiKey', {
    configurable: true,
    enumerable: false,
    get(this: IncomingMessage): ApiKeyIdentity | undefined {
      return identities.get(this);
    },
    set(this: IncomingMessage, identity: ApiKeyIdentity | undefined) {
      if (identity === undefined) identities.delete(this);
      else identities.set(this, identity);
    },
  });
  return identities;
}

const identities = sharedIdentities();

/** Sets `req.apiKey`; a request that is not Node's (a test double) gets a plain property. */
export function setRequestIdentity(req: Request, identity: ApiKeyIdentity): void {
  if (req instanceof IncomingMessage) identities.set(req, identity);
  else (req as { apiKey?: ApiKeyIdentity }).apiKey = identity;
}
