import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_SCHEMA } from '../src/config';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('documentation', () => {
  const variables = Object.keys(CONFIG_SCHEMA.shape);

  it('lists every configuration variable in .env.example with a comment', () => {
    const example = read('.env.example');
    for (const name of variables) {
      const line = new RegExp(`^# .*\\n(?:# .*\\n)*(?:[A-Z_]+=.*\\n)*${name}=`, 'm');
      expect({ name, documented: line.test(example) }).toEqual({ name, documented: true });
    }
  });

  it('lists every configuration variable in the README', () => {
    const readme = read('README.md');
    for (const name of variables)
      expect({ name, inReadme: readme.includes(`\`${name}\``) }).toEqual({ name, inReadme: true });
  });

  it('links only to files that exist', () => {
    for (const file of [
      'README.md',
      'ARCHITECTURE.md',
      ...fs
        .readdirSync(path.join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ]) {
      const dir = path.dirname(path.join(root, file));
      for (const [, target] of read(file).matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)/g)) {
        expect({ file, target, exists: fs.existsSync(path.join(dir, target!)) }).toEqual({
          file,
          target,
          exists: true,
        });
      }
    }
  });

  it('names only test files that exist', () => {
    for (const file of ['README.md', 'docs/security.md', 'docs/testing.md']) {
      for (const [, target] of read(file).matchAll(/`(test\/[\w./-]+\.ts)`/g)) {
        expect({ file, target, exists: fs.existsSync(path.join(root, target!)) }).toEqual({
          file,
          target,
          exists: true,
        });
      }
    }
  });
});
