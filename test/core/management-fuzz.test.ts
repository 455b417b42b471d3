import fc from 'fast-check';
import { isLatchkeyError } from '../../src/core/errors';
import { makeLatchkey } from '../support/harness';
import { aWorld } from '../support/world';

/**
 * Whatever a caller passes, a management function either succeeds or fails with a
 * typed 4xx LatchkeyError: never a raw exception, never a 5xx.
 */

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

let lk: Lk;
let ids: { userId: string; orgId: string; keyId: string };
beforeAll(async () => {
  lk = await makeLatchkey();
  const { user, org } = await aWorld(lk);
  const { apiKeyId } = await lk.createApiKey({});
  ids = { userId: user.id, orgId: org.id, keyId: apiKeyId };
});
afterAll(async () => {
  await lk.close();
});

async function outcome(call: () => Promise<unknown>): Promise<'ok' | 'typed 4xx'> {
  try {
    await call();
    return 'ok';
  } catch (err) {
    if (isLatchkeyError(err) && err.status >= 400 && err.status < 500) return 'typed 4xx';
    throw err;
  }
}

/** Any JSON-ish value, plus the values JSON cannot hold that library callers can still pass. */
const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(undefined, NaN, Infinity, -0, 10n, () => 1, Symbol('s'), new Date(0), [], {}),
);
const field = (name: string, value: fc.Arbitrary<unknown>) => fc.record({ [name]: value });
const keyInput = fc.oneof(
  anyValue,
  fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 4 }),
  field('userId', fc.oneof(anyValue, fc.constant(null), fc.uuid())),
  field('orgId', fc.oneof(anyValue, fc.uuid())),
  field('expiresAt', fc.oneof(anyValue, fc.integer(), fc.double())),
  field('metadata', anyValue),
  field('displayName', fc.oneof(anyValue, fc.string({ unit: 'binary', maxLength: 120 }))),
);

it('createApiKey', async () => {
  await fc.assert(
    fc.asyncProperty(keyInput, async (input) => {
      expect(['ok', 'typed 4xx']).toContain(await outcome(() => lk.createApiKey(input as never)));
    }),
    { numRuns: 300 },
  );
});

it('importApiKey', async () => {
  const input = fc.oneof(
    keyInput,
    fc.record({ token: fc.oneof(anyValue, fc.string({ unit: 'binary', maxLength: 600 })) }),
  );
  await fc.assert(
    fc.asyncProperty(input, async (value) => {
      expect(['ok', 'typed 4xx']).toContain(await outcome(() => lk.importApiKey(value as never)));
    }),
    { numRuns: 300 },
  );
});

it('updateApiKey, fetchApiKey and archiveApiKey with any id', async () => {
  const id = fc.oneof(
    anyValue,
    fc.constant(ids.keyId),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }),
  );
  await fc.assert(
    fc.asyncProperty(id, keyInput, async (keyId, patch) => {
      expect(['ok', 'typed 4xx']).toContain(
        await outcome(() => lk.updateApiKey(keyId as never, patch as never)),
      );
      expect(['ok', 'typed 4xx']).toContain(await outcome(() => lk.fetchApiKey(keyId as never)));
    }),
    { numRuns: 300 },
  );
  expect(await outcome(() => lk.archiveApiKey({} as never))).toBe('typed 4xx');
});

it('listApiKeys and fetchApiKeyUsage', async () => {
  const query = fc.oneof(
    fc.dictionary(
      fc.constantFrom(
        'userId',
        'userEmail',
        'orgId',
        'archived',
        'pageSize',
        'pageNumber',
        'kind',
        'search',
      ),
      anyValue,
      { maxKeys: 4 },
    ),
    fc.record({
      pageSize: fc.oneof(fc.integer(), fc.double()),
      pageNumber: fc.oneof(fc.integer(), fc.double()),
    }),
  );
  await fc.assert(
    fc.asyncProperty(query, async (q) => {
      expect(['ok', 'typed 4xx']).toContain(await outcome(() => lk.listApiKeys(q as never)));
    }),
    { numRuns: 300 },
  );
  const usage = fc.dictionary(fc.constantFrom('date', 'apiKeyId', 'userId', 'orgId'), anyValue, {
    maxKeys: 3,
  });
  await fc.assert(
    fc.asyncProperty(usage, async (q) => {
      expect(['ok', 'typed 4xx']).toContain(await outcome(() => lk.fetchApiKeyUsage(q as never)));
    }),
    { numRuns: 200 },
  );
});

it('createUser, createOrg, addUserToOrg and updateSettings', async () => {
  const userInput = fc.oneof(
    anyValue,
    field('email', fc.oneof(anyValue, fc.emailAddress(), fc.string({ unit: 'binary' }))),
    fc.record({ email: fc.emailAddress(), password: anyValue }),
  );
  const orgInput = fc.oneof(
    anyValue,
    field('name', anyValue),
    fc.record({ name: fc.string(), urlSafeName: anyValue }),
  );
  const settings = fc.dictionary(
    fc.constantFrom(
      'personalKeysEnabled',
      'expiryChoices',
      'defaultExpiry',
      'maxKeysPerUser',
      'tokenPrefix',
      'orgKeyManagerRoles',
      'other',
    ),
    anyValue,
    { maxKeys: 3 },
  );
  await fc.assert(
    fc.asyncProperty(userInput, orgInput, anyValue, settings, async (u, o, role, s) => {
      expect(['ok', 'typed 4xx']).toContain(await outcome(() => lk.createUser(u as never)));
      expect(['ok', 'typed 4xx']).toContain(await outcome(() => lk.createOrg(o as never)));
      expect(['ok', 'typed 4xx']).toContain(
        await outcome(() => lk.addUserToOrg(ids.orgId, ids.userId, role as never)),
      );
      expect(['ok', 'typed 4xx']).toContain(await outcome(() => lk.updateSettings(s as never)));
    }),
    { numRuns: 150 },
  );
});

it('users, orgs and memberships by any id, with any update and any list filter', async () => {
  const id = fc.oneof(anyValue, fc.uuid(), fc.constantFrom(ids.userId, ids.orgId));
  const filter = fc.oneof(
    anyValue,
    fc.dictionary(fc.constantFrom('emailContains', 'nameContains'), anyValue, { maxKeys: 2 }),
  );
  const page = fc.oneof(
    anyValue,
    fc.dictionary(fc.constantFrom('pageSize', 'pageNumber'), anyValue, { maxKeys: 2 }),
  );
  const ok = ['ok', 'typed 4xx'];
  await fc.assert(
    fc.asyncProperty(id, id, anyValue, filter, page, async (a, b, value, f, p) => {
      expect(ok).toContain(await outcome(() => lk.fetchUser(a as never)));
      expect(ok).toContain(await outcome(() => lk.fetchOrg(a as never)));
      expect(ok).toContain(await outcome(() => lk.fetchUserByEmail(a as never)));
      expect(ok).toContain(await outcome(() => lk.updateUser(a as never, value as never)));
      expect(ok).toContain(await outcome(() => lk.updateOrg(a as never, value as never)));
      expect(ok).toContain(
        await outcome(() => lk.changeUserRoleInOrg(a as never, b as never, value as never)),
      );
      expect(ok).toContain(await outcome(() => lk.fetchOrgsOfUser(a as never)));
      expect(ok).toContain(await outcome(() => lk.fetchUsersInOrg(a as never, p as never)));
      expect(ok).toContain(await outcome(() => lk.listUsers(f as never, p as never)));
      expect(ok).toContain(await outcome(() => lk.listOrgs(f as never, p as never)));
      expect(ok).toContain(await outcome(() => lk.setUserPassword(a as never, value as never)));
    }),
    { numRuns: 200 },
  );
});

it('the validate functions answer any value with a failure, never an exception', async () => {
  // A store of its own: the import fuzzing above may have imported any string as a token.
  const empty = await makeLatchkey();
  const raw = fc.oneof(anyValue, fc.string({ unit: 'binary', maxLength: 2000 }));
  await fc.assert(
    fc.asyncProperty(raw, async (value) => {
      for (const validate of [
        empty.validateApiKey,
        empty.validatePersonalApiKey,
        empty.validateOrgApiKey,
        empty.validateImportedApiKey,
      ]) {
        expect(await validate(value)).toMatchObject({ valid: false, reason: expect.any(String) });
      }
    }),
    { numRuns: 300 },
  );
  await empty.close();
});
