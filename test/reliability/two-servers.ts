import { startServerChild, type ServerChild } from '../support/child';

/** Helpers for the two-server tests: two real server processes on one database, over HTTP. */

export interface TwoServers {
  a: ServerChild;
  b: ServerChild;
  integrationKey: string;
}

export const SESSION_SECRET = 'two-servers-test-session-secret-0123456789';

/** The environment both servers share; `own` adds the database and anything per server. */
export const serverEnv = (own: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  BCRYPT_COST: '4',
  SESSION_SECRET,
  RATE_LIMIT_BACKEND: 'store',
  USAGE_FLUSH_INTERVAL_MS: '100',
  INVALID_KEY_LIMIT_PER_MINUTE: '0',
  MONGODB_URI: '',
  DATABASE_URL: '',
  ...own,
});

export async function startTwo(envA: NodeJS.ProcessEnv, envB: NodeJS.ProcessEnv) {
  const [a, b] = await Promise.all([startServerChild(envA), startServerChild(envB)]);
  return { a, b };
}

/** A backend API call with the integration key; returns the status and parsed body. */
export async function api(
  server: ServerChild,
  integrationKey: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/api/backend/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${integrationKey}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** One validation through the app's own protected route: 200, 401, 403 or 429. */
export async function whoami(server: ServerChild, token: string): Promise<number> {
  const res = await fetch(`${server.url}/api/whoami`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

/** Asks every 10 ms until `done(status)`; how long after `since` a request still got the old answer. */
export async function msUntil(
  since: number,
  ask: () => Promise<number>,
  done: (status: number) => boolean,
  giveUpMs: number,
): Promise<number> {
  // The staleness a caller could see: how long after `since` a request could still START and
  // get the old answer. Timing each request from its start keeps a slow round trip on a busy
  // machine (the answer arriving late) from counting as staleness of the server.
  let lastStaleStart = since;
  for (;;) {
    const startedAt = Date.now();
    const status = await ask();
    if (done(status)) return lastStaleStart - since;
    lastStaleStart = startedAt;
    if (startedAt - since > giveUpMs)
      throw new Error(`still ${status} after ${startedAt - since} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const summary = (ms: number[]) => {
  const sorted = [...ms].sort((x, y) => x - y);
  return { worst: sorted[sorted.length - 1]!, median: sorted[sorted.length >> 1]! };
};

/** Signs in at `server`'s /login like a browser; returns the session cookie. */
export async function signIn(server: ServerChild, email: string, password: string) {
  const page = await fetch(`${server.url}/login`);
  const cookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0]!;
  const html = await page.text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  const form = new URLSearchParams({
    email,
    password,
    _csrf: field('_csrf') ?? '',
    formId: field('formId') ?? '',
  });
  const res = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  await res.arrayBuffer();
  const renewed = res.headers.getSetCookie()[0]?.split(';')[0];
  return { status: res.status, cookie: renewed ?? cookie };
}
