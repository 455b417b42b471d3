import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnTs, waitForLine } from '../support/child';
import { makeLatchkey } from '../support/harness';

const QUOTA = 200;
const ATTEMPTS = 300;

/** Runs one spender child to the end and answers how many of its validations passed. */
async function spend(file: string, token: string): Promise<{ passed: number; reasons: object }> {
  const { lines, exited } = spawnTs('test/reliability/children/quota-spender.ts', [
    file,
    token,
    String(ATTEMPTS),
  ]);
  await waitForLine(lines, (line) => line === 'ready', 30_000);
  const result = await waitForLine(lines, (line) => line.startsWith('{'), 60_000);
  expect(await exited).toMatchObject({ code: 0 });
  return JSON.parse(result) as { passed: number; reasons: object };
}

describe('a usage quota across processes on one SQLite file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-quota-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('never admits more validations than the quota in total', async () => {
    const file = path.join(dir, 'shared.db');
    const lk = await makeLatchkey({ databasePath: file });
    const { apiKeyToken, apiKeyId } = await lk.createApiKey({ remaining: QUOTA });
    await lk.close();

    const [a, b] = await Promise.all([spend(file, apiKeyToken), spend(file, apiKeyToken)]);
    const total = a.passed + b.passed;
    console.log(
      `quota ${QUOTA}: process A passed ${a.passed}, B ${b.passed}`,
      a.reasons,
      b.reasons,
    );
    expect(total).toBeLessThanOrEqual(QUOTA);
    // Both ran past the quota; closing gave back what a lease held and did not spend.
    const after = await makeLatchkey({ databasePath: file });
    const left = (await after.fetchApiKey(apiKeyId)).remaining ?? 0;
    expect(total + left).toBe(QUOTA);
    expect(total).toBeGreaterThan(QUOTA - 2 * 3);
    await after.close();
  }, 120_000);
});
