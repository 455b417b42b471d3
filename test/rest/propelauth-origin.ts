import { generateKeyPairSync } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initBaseAuth } from '@propelauth/node';

/**
 * @propelauth/node 2.x sends every backend request to this fixed origin (naming the project
 * in an X-Propelauth-url header), and none of its options changes it.
 */
export const PROPELAUTH_ORIGIN = 'https://propelauth-api.com';

export interface PropelAuthOrigin {
  baseUrl: string;
  /** Method and path (without query) of every call sent to PropelAuth's origin. */
  seen: { method: string; path: string }[];
  /** A real @propelauth/node client; no access-token verification is exercised. */
  client(apiKey: string): ReturnType<typeof initBaseAuth>;
  close(): Promise<void>;
}

/**
 * Serves `app` on 127.0.0.1 and points PropelAuth's origin at it by wrapping global fetch,
 * exactly as a product would when moving to a self-hosted Latchkey: paths, methods,
 * headers and bodies pass through untouched. close() restores fetch.
 */
export async function servePropelAuthOrigin(app: RequestListener): Promise<PropelAuthOrigin> {
  const server = await new Promise<Server>((resolve) => {
    const s = createServer(app).listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const seen: PropelAuthOrigin['seen'] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(PROPELAUTH_ORIGIN)) return realFetch(input, init);
    const path = url.slice(PROPELAUTH_ORIGIN.length);
    seen.push({ method: init?.method ?? 'GET', path: path.split('?')[0] ?? path });
    return realFetch(`${baseUrl}${path}`, init);
  };
  // A throwaway verifier key keeps the client from fetching one.
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const verifierKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    baseUrl,
    seen,
    client: (apiKey) =>
      initBaseAuth({
        authUrl: baseUrl,
        apiKey,
        manualTokenVerificationMetadata: { verifierKey, issuer: baseUrl },
      }),
    close: async () => {
      globalThis.fetch = realFetch;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
