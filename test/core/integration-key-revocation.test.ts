import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeLatchkey } from '../support/harness';

describe('an integration key revoked by another process', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-ik-revoke-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is refused by a running server within a second, however long its cache TTL', async () => {
    const databasePath = path.join(dir, 'shared.db');
    const server = await makeLatchkey({ databasePath, cacheTtlMs: 10_000 });
    const cli = await makeLatchkey({ databasePath, cacheTtlMs: 10_000 });
    const { token, key } = await server.createIntegrationKey('billing');
    expect(await server.integrationKeys.authenticate(token)).toMatchObject({ id: key.id });

    await cli.archiveIntegrationKey(key.id);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await server.integrationKeys.authenticate(token)).toBeNull();
    await cli.close();
    await server.close();
  });
});
