import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeLatchkey } from '../support/harness';
import { spawnTs, waitForLine } from '../support/child';

/** Runs the burst child until it has acknowledged `writes` writes, then SIGKILLs it. */
async function burstThenKill(file: string, writes: number) {
  const { child, lines, exited } = spawnTs('test/reliability/children/burst.ts', [file]);
  const acked: string[][] = [];
  await waitForLine(lines, (line) => {
    const fields = line.split(' ');
    acked.push(fields);
    return fields[0] === 'ready';
  });
  await waitForLine(lines, (line) => acked.push(line.split(' ')) >= writes, 30_000);
  child.kill('SIGKILL');
  // Every line the child printed before it died acknowledges a committed write, including
  // those that arrived with the last one read or while the signal was on its way.
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    acked.push(next.value.split(' '));
  }
  expect(await exited).toMatchObject({ signal: 'SIGKILL' });
  return acked;
}

const ids = (acked: string[][], what: string) =>
  acked.filter(([kind]) => kind === what).map(([, id]) => id!);

describe('crash safety on SQLite', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-crash-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged write and no half-done cascade after a SIGKILL mid-burst', async () => {
    const file = path.join(dir, 'crash.db');
    const acked = await burstThenKill(file, 400);
    expect(fs.existsSync(`${file}-wal`)).toBe(true); // killed, not closed: the WAL is still there

    const db = new Database(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const keyRow = db.prepare('SELECT archived_at, user_id, kind FROM api_keys WHERE id = ?');
    const userExists = db.prepare('SELECT 1 FROM users WHERE id = ?').pluck();

    const created = ids(acked, 'created');
    const archived = ids(acked, 'archived');
    const deleted = ids(acked, 'deleted');
    expect(created.length).toBeGreaterThan(100);
    expect(archived.length).toBeGreaterThan(10);
    expect(deleted.length).toBeGreaterThan(5);

    for (const id of created) expect(keyRow.get(id)).toBeDefined();
    for (const id of archived) {
      expect(keyRow.get(id)).toMatchObject({ archived_at: expect.any(Number) });
    }
    for (const id of deleted) expect(userExists.get(id)).toBeUndefined();
    // Only the deletion in flight when the process died may have committed without its ack.
    const kept = ids(acked, 'user').filter((id) => !deleted.includes(id));
    expect(kept.filter((id) => userExists.get(id) !== 1).length).toBeLessThanOrEqual(1);

    // A cascade is all or nothing: no key, membership or usage row outlives its user half-done.
    const orphans = db
      .prepare(
        `SELECT COUNT(*) FROM api_keys WHERE archived_at IS NULL AND user_id IS NOT NULL
         AND user_id NOT IN (SELECT id FROM users)`,
      )
      .pluck()
      .get();
    expect(orphans).toBe(0);
    const orphanMemberships = db
      .prepare('SELECT COUNT(*) FROM memberships WHERE user_id NOT IN (SELECT id FROM users)')
      .pluck()
      .get();
    expect(orphanMemberships).toBe(0);
    const orgOrphans = db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM api_keys WHERE archived_at IS NULL AND org_id IS NOT NULL
           AND org_id NOT IN (SELECT id FROM orgs))
         + (SELECT COUNT(*) FROM memberships WHERE org_id NOT IN (SELECT id FROM orgs))`,
      )
      .pluck()
      .get();
    expect(orgOrphans).toBe(0);
    const orgGone = db.prepare('SELECT 1 FROM orgs WHERE id = ?').pluck();
    const deletedOrgs = ids(acked, 'org-deleted');
    expect(deletedOrgs.length).toBeGreaterThan(3);
    for (const id of deletedOrgs) expect(orgGone.get(id)).toBeUndefined();
    db.close();

    // And Latchkey itself opens the file and keeps working.
    const reopened = await makeLatchkey({ databasePath: file });
    const live = (await reopened.listApiKeys({ state: 'current', pageSize: 1 })).total;
    expect(live).toBeGreaterThan(0);
    const user = await reopened.createUser({ email: 'after-crash@example.com' });
    const { apiKeyToken } = await reopened.createApiKey({ userId: user.id });
    expect((await reopened.validateApiKey(apiKeyToken)).valid).toBe(true);
    await reopened.close();
  }, 60_000);
});
