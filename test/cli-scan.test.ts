import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../src/cli/main';
import { generateToken } from '../src/core/token';
import { findTokens } from '../src/core/token-scan';

/** A token with one character of its secret changed: the right shape, a wrong checksum. */
const withBadChecksum = (token: string): string =>
  token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);

async function scan(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (c: Buffer) => (outText += c.toString()));
  err.on('data', (c: Buffer) => (errText += c.toString()));
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((c) => out.write(c));
  const writeErr = jest.spyOn(process.stderr, 'write').mockImplementation((c) => err.write(c));
  try {
    const code = await runCli(['scan', ...args]);
    return { code, out: outText, err: errText };
  } finally {
    write.mockRestore();
    writeErr.mockRestore();
  }
}

describe('finding tokens in text', () => {
  it('finds a real token with its line and column, and no look-alike', () => {
    const real = generateToken('lk');
    const text = [
      'nothing here',
      `API_KEY="${real}"`,
      `bad checksum ${withBadChecksum(generateToken('lk'))}`,
      `wrong prefix ${'LK' + generateToken('lk').slice(2)}`,
      `glued xy${generateToken('lk')}`,
    ].join('\n');
    expect(findTokens(text)).toEqual([
      { line: 2, column: 10, token: real, hint: `lk_…${real.slice(-4)}` },
    ]);
  });

  it('finds tokens of any prefix, several on one line', () => {
    const a = generateToken('acme');
    const b = generateToken('x1');
    expect(findTokens(`${a},${b}`).map((f) => f.token)).toEqual([a, b]);
  });
});

describe('latchkey scan', () => {
  let dir: string;
  const real = generateToken('lk');
  const nested = generateToken('acme');

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-scan-'));
    const write = (file: string, content: string | Buffer) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    };
    write('config/.env', `# keys\nLATCHKEY=${real}\n`);
    write('src/deep/client.ts', `const example = '${withBadChecksum(real)}';\nx('${nested}');\n`);
    write('README.md', `Tokens look like lk_${'x'.repeat(49)}.\n`);
    write('node_modules/pkg/index.js', `module.exports = '${generateToken('lk')}';\n`);
    write('.git/config', `token = ${generateToken('lk')}\n`);
    write('image.bin', Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(generateToken('lk'))]));
    write('big.log', `${generateToken('lk')}\n${'.'.repeat(2_000)}`);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports each real token by file, line and hint, never the token, and exits 1', async () => {
    const { code, out } = await scan([dir, '--max-bytes', '1000']);
    expect(code).toBe(1);
    expect(out).toContain(`${path.join(dir, 'config/.env')}:2:10: Latchkey token lk_…`);
    expect(out).toContain(`${path.join(dir, 'src/deep/client.ts')}:2:4: Latchkey token acme_…`);
    expect(out).not.toContain(real);
    expect(out).not.toContain(nested);
    expect(out).toMatch(/2 token\(s\) found in 3 file\(s\) scanned \(2 skipped/);
  });

  it('prints the tokens with --show, and JSON with --json', async () => {
    const { code, out } = await scan([dir, '--show', '--json', '--max-bytes', '1000']);
    expect(code).toBe(1);
    const result = JSON.parse(out) as { findings: { token: string; line: number }[] };
    expect(result.findings.map((f) => f.token)).toEqual([real, nested]);
  });

  it('exits 0 on a tree with only look-alikes, and 2 for a path that is not there', async () => {
    expect((await scan([path.join(dir, 'README.md')])).code).toBe(0);
    expect((await scan([path.join(dir, 'missing')])).code).toBe(2);
    expect((await scan([dir, '--max-bytes', 'lots'])).code).toBe(2);
  });

  it('scans a large file when the limit allows it', async () => {
    const { out } = await scan([path.join(dir, 'big.log')]);
    expect(out).toContain('big.log:1:1');
  });
});
