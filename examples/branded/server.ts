/**
 * A host app whose customers see the key pages as part of its own product, "Acme Cloud":
 * its name, colours and footer, inside its own header.
 *
 *   npm run build && tsc -p examples/branded && node dist/example-branded/examples/branded/server.js
 *   then open http://127.0.0.1:3200/account/keys
 */
import path from 'node:path';
import express from 'express';
import { createLatchkey } from 'latchkey';
import { createHostedPages } from 'latchkey/pages';

const PORT = Number(process.env.PORT ?? 3200);

async function main(): Promise<void> {
  const latchkey = await createLatchkey({
    databasePath: process.env.DATABASE_PATH ?? ':memory:',
  });
  const ada = await latchkey.createUser({ email: 'ada@example.com' });
  await latchkey.createApiKey({ userId: ada.id, displayName: 'Production server' });

  const app = express();
  app.get('/', (_req, res) => {
    res
      .type('html')
      .send('<!doctype html><title>Acme Cloud</title><a href="/account/keys">API keys</a>');
  });
  app.use(
    '/account',
    createHostedPages(latchkey, {
      // A real app reads its own session here; this demo signs everyone in as Ada.
      resolveUser: () => ada.id,
      branding: {
        productName: 'Acme Cloud',
        primaryColor: '#7a1fa2',
        accentColor: '#0b5345',
        supportUrl: 'https://help.example.com/',
        footerText: '© Acme Cloud Ltd.',
      },
      // The views folder sits beside this file in the source tree, not in dist/.
      chrome: { header: path.resolve(__dirname, '../../../../examples/branded/views/header.ejs') },
    }),
  );
  app.listen(PORT, '127.0.0.1', () => {
    console.log(`Branded example on http://127.0.0.1:${PORT}/account/keys`);
  });
}

void main();
