import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_SCHEMA } from '../src/config';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const docs = fs
  .readdirSync(path.join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);

describe('documentation', () => {
  const variables = Object.keys(CONFIG_SCHEMA.shape);

  it('lists every configuration variable in .env.example with a comment', () => {
    const example = read('.env.example');
    for (const name of variables) {
      const line = new RegExp(`^# .*\\n(?:# .*\\n)*(?:[A-Z_]+=.*\\n)*${name}=`, 'm');
      expect({ name, documented: line.test(example) }).toEqual({ name, documented: true });
    }
  });

  it('lists every configuration variable in docs/configuration.md, which the README links', () => {
    const configuration = read('docs/configuration.md');
    for (const name of variables) {
      expect({ name, documented: configuration.includes(`\`${name}\``) }).toEqual({
        name,
        documented: true,
      });
    }
    const readme = read('README.md');
    expect(readme).toContain('](.env.example)');
    expect(readme).toContain('](docs/configuration.md)');
  });

  it('links only to files that exist', () => {
    for (const file of ['README.md', 'ARCHITECTURE.md', ...docs]) {
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
    for (const file of ['README.md', ...docs]) {
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

describe('the README', () => {
  const readme = read('README.md');

  it('stays short enough to read in one go', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
  });

  it('holds no speed figures: they live in docs/benchmarks.md alone', () => {
    expect(readme).not.toMatch(/\bµs\b|req\/s|ratio to its baseline|\d\.\d+×/);
    expect(readme).toContain('](docs/benchmarks.md)');
  });

  it('shows the two commands a newcomer needs, and the fast one', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
    expect(readme).toContain('npm run test:fast');
  });

  it('points at every page under docs/', () => {
    for (const file of docs)
      expect({ file, linked: readme.includes(`](${file})`) }).toEqual({
        file,
        linked: true,
      });
  });
});

describe('docs/testing.md', () => {
  const testing = read('docs/testing.md');

  it('names every folder under test/', () => {
    const folders = (dir: string): string[] =>
      fs
        .readdirSync(path.join(root, dir), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .flatMap((entry) => [`${dir}/${entry.name}`, ...folders(`${dir}/${entry.name}`)]);
    const all = folders('test');
    expect(all.length).toBeGreaterThan(5);
    for (const folder of all) {
      expect({ folder, named: testing.includes(`\`${folder}/\``) }).toEqual({
        folder,
        named: true,
      });
    }
  });

  it('names every test file or folder that npm run test:fast leaves out', () => {
    const config = read('jest.fast.config.js');
    const left = [...config.matchAll(/'<rootDir>\/(test\/[^']+)'/g)].map(([, pattern]) =>
      pattern!.replace(/\\/g, '').replace(/\$$/, ''),
    );
    expect(left.length).toBeGreaterThan(3);
    for (const target of left) {
      expect({ target, named: testing.includes(`\`${target}\``) }).toEqual({ target, named: true });
    }
  });
});
