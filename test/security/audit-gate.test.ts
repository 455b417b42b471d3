import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** .ci/run pipes `npm audit --omit=dev --json` into .ci/audit.js: its exit code decides the run. */
const gate = (report: unknown) =>
  spawnSync(process.execPath, [path.join(__dirname, '../../.ci/audit.js')], {
    input: typeof report === 'string' ? report : JSON.stringify(report),
    encoding: 'utf8',
  });

const audit = (counts: Record<string, number>) => ({
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, ...counts } },
});

describe('the CI audit gate', () => {
  it('fails the run on a high or a critical advisory', () => {
    expect(gate(audit({ high: 1 })).status).toBe(1);
    expect(gate(audit({ critical: 2 })).status).toBe(1);
  });

  it('passes with only moderate or low advisories, and says how many', () => {
    const run = gate(audit({ moderate: 2, low: 1 }));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('0 critical, 0 high, 2 moderate, 1 low');
  });

  it('reports a registry that cannot answer as no result, not as a clean audit', () => {
    const run = gate({ message: '405 Method Not Allowed', statusCode: 405 });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('no result, the registry answered: 405 Method Not Allowed');
    expect(gate('npm ERR! offline').stdout).toContain('no result');
  });
});
