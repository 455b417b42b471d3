import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../src/cli/main';
import { FAILURE_REASONS } from '../src/core/validation-result';
import { ENDPOINTS } from '../src/http/rest/routes';
import { makeLatchkey } from './support/harness';
import { aWorld } from './support/world';

/** The reference pages checked against the code they describe, so neither drifts alone. */

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('docs/rest-api.md and the route table', () => {
  const doc = read('docs/rest-api.md');
  const table = ENDPOINTS.map((e) => `${e.method.toUpperCase()} ${e.path}`);
  // Paths under /api/ are the server's own (the OpenAPI document), not backend routes.
  const named = [...doc.matchAll(/`(GET|POST|PATCH|DELETE) (\/[^`?\s]*)[^`]*`/g)]
    .map(([, method, route]) => `${method} ${route}`)
    .filter((route) => !route.split(' ')[1]!.startsWith('/api/'));
  const headings = doc.split('\n').filter((line) => line.startsWith('#'));

  it('gives every route of the table a section of its own', () => {
    expect(table.length).toBeGreaterThan(20);
    for (const route of table) {
      const inHeading = headings.some((h) => h.includes(`\`${route}\``));
      expect({ route, inHeading }).toEqual({ route, inHeading: true });
    }
  });

  it('names no route that is not in the table', () => {
    for (const route of new Set(named)) {
      expect({ route, inTable: table.includes(route) }).toEqual({ route, inTable: true });
    }
  });

  it('lists every route in its overview table', () => {
    const rows = doc.split('\n').filter((line) => line.startsWith('| `'));
    for (const route of table) {
      const listed = rows.some((row) => row.startsWith(`| \`${route}\``));
      expect({ route, listed }).toEqual({ route, listed: true });
    }
  });
});

describe('docs/cli.md and the CLI', () => {
  it('names every command and option the CLI help lists', async () => {
    let help = '';
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      help += String(chunk);
      return true;
    });
    try {
      expect(await runCli(['help'])).toBe(0);
    } finally {
      write.mockRestore();
    }
    const commands = [...help.matchAll(/^ {2}([a-z-]+) /gm)].map(([, name]) => name!);
    const options = [...help.matchAll(/^ {6}(--[a-z-]+)/gm)].map(([, name]) => name!);
    expect(commands.length).toBeGreaterThan(8);
    const doc = read('docs/cli.md');
    for (const command of commands) {
      expect({ command, named: doc.includes(`\`${command}`) }).toEqual({ command, named: true });
    }
    for (const option of new Set(options)) {
      expect({ option, named: doc.includes(option) }).toEqual({ option, named: true });
    }
  });
});

describe('validation results as documented', () => {
  it('lists every failure reason in docs/library.md and the README', () => {
    const library = read('docs/library.md');
    const readme = read('README.md');
    for (const reason of Object.keys(FAILURE_REASONS)) {
      expect({ reason, library: library.includes(`\`${reason}\``) }).toEqual({
        reason,
        library: true,
      });
      expect({ reason, readme: readme.includes(`\`${reason}\``) }).toEqual({
        reason,
        readme: true,
      });
    }
  });

  it('names in the README every field a personal, org and generic key validates to', async () => {
    const lk = await makeLatchkey();
    try {
      const { user, org } = await aWorld(lk);
      const personal = await lk.createApiKey({ userId: user.id });
      const orgKey = await lk.createApiKey({ orgId: org.id, userId: user.id });
      const generic = await lk.createApiKey({});
      const results = await Promise.all(
        [personal, orgKey, generic].map((k) => lk.validateApiKey(k.apiKeyToken)),
      );
      const fields = new Set<string>();
      for (const result of results) {
        if (!result.valid) throw new Error(`a fresh key did not validate: ${result.reason}`);
        const identity = result.apiKey as unknown as Record<string, unknown>;
        for (const [field, value] of Object.entries(identity)) {
          fields.add(field);
          // The nested records of the identity: the user, the org summary.
          if ((field === 'user' || field === 'org') && value && typeof value === 'object')
            for (const nested of Object.keys(value)) fields.add(nested);
        }
      }
      expect(fields.has('userInOrg')).toBe(true);
      const readme = read('README.md');
      for (const field of fields) {
        // As `field`, or inside a shape such as `{ kind, apiKeyId, user?, metadata }`.
        const named = new RegExp(`[\`{,] ?${field}\\?? ?[\`},]`).test(readme);
        expect({ field, named }).toEqual({ field, named: true });
      }
    } finally {
      await lk.close();
    }
  });
});
