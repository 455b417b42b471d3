/**
 * A host app that embeds Latchkey: its own (fake) sign-in stands in for
 * Latchkey's, and its customers manage their API keys under /account.
 *
 *   npm run example:embedded     then open http://127.0.0.1:3100
 */
import express, { type Request } from 'express';
import { createLatchkey } from 'latchkey';
import { createHostedPages } from 'latchkey/pages';

const PORT = Number(process.env.PORT ?? 3100);

// The host's "sign-in": a cookie naming the demo user. A real app reads its own session here.
function signedInEmail(req: Request): string | null {
  const match = /(?:^|;\s*)demo_user=([^;]+)/.exec(req.headers.cookie ?? '');
  return match ? decodeURIComponent(match[1]!) : null;
}

async function main(): Promise<void> {
  const latchkey = await createLatchkey({
    databasePath: process.env.DATABASE_PATH ?? ':memory:',
  });

  // Demo data: two customers in one org, one who may manage its keys and one who may not.
  const ada = await latchkey.createUser({ email: 'ada@example.com' });
  const bob = await latchkey.createUser({ email: 'bob@example.com' });
  const org = await latchkey.createOrg({ name: 'Analytical Engines' });
  await latchkey.addUserToOrg(org.id, ada.id, 'Admin');
  await latchkey.addUserToOrg(org.id, bob.id, 'Member');

  const app = express();
  app.use(express.urlencoded({ extended: false }));

  app.get('/', (req, res) => {
    const email = signedInEmail(req);
    res.type('html').send(`<!doctype html><title>Host app</title>
      <h1>Host app</h1>
      ${
        email
          ? `<p>Signed in to the host as ${email.replace(/[<>&"]/g, '')}.</p>
             <p><a href="/account/keys">Manage your API keys</a></p>
             <form method="post" action="/logout"><button>Sign out</button></form>`
          : `<form method="post" action="/login">
               <label for="email">Sign in as</label>
               <select id="email" name="email">
                 <option>ada@example.com</option><option>bob@example.com</option>
               </select>
               <button>Sign in</button>
             </form>`
      }`);
  });
  app.post('/login', (req, res) => {
    const email = String(req.body.email ?? '');
    res.cookie('demo_user', email, { httpOnly: true, sameSite: 'lax' });
    res.redirect(303, '/account/keys');
  });
  app.post('/logout', (_req, res) => {
    res.clearCookie('demo_user');
    res.redirect(303, '/');
  });

  // The hosted key pages, under the host's own path and sign-in.
  // The pages ask the host who is signed in, and then skip their own sign-in.
  app.use(
    '/account',
    createHostedPages(latchkey, {
      loginUrl: '/',
      resolveUser: async (req) => {
        const email = signedInEmail(req);
        const user = email ? await latchkey.fetchUserByEmail(email) : null;
        return user?.id ?? null;
      },
    }),
  );

  // An API of the host, protected by the keys its customers create above.
  app.get('/api/me', latchkey.requireApiKey(), (req, res) => {
    res.json(req.apiKey);
  });

  const server = app.listen(PORT, '127.0.0.1', () =>
    console.log(`Host app with embedded Latchkey on http://127.0.0.1:${PORT}`),
  );
  const stop = () => server.close(() => void latchkey.close().then(() => process.exit(0)));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
