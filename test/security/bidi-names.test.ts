import { makeLatchkey } from '../support/harness';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

let lk: Lk;
beforeEach(async () => {
  lk = await makeLatchkey();
});
afterEach(async () => {
  await lk.close();
});

/** Each character that can make one shown name read as another. */
const BIDI = [
  ...['\u202A', '\u202B', '\u202C', '\u202D', '\u202E'],
  ...['\u2066', '\u2067', '\u2068', '\u2069'],
  ...['\u200E', '\u200F', '\u061C'],
];

const refusedNaming = (field: string) => ({
  code: 'invalid_input',
  fields: { [field]: [expect.stringContaining('bidirectional control')] },
});

describe('names with bidirectional control characters', () => {
  it.each(BIDI.map((c) => [c.codePointAt(0)!.toString(16).toUpperCase(), c]))(
    'refuses U+%s in key, org, user and integration key names, naming the field',
    async (_code, c) => {
      const spoof = `admin${c}nimda`;
      const user = await lk.createUser({ email: 'member@example.com' });
      await expect(lk.createApiKey({ userId: user.id, displayName: spoof })).rejects.toMatchObject(
        refusedNaming('displayName'),
      );
      const { key } = await lk.createApiKey({ userId: user.id, displayName: 'plain' });
      await expect(lk.updateApiKey(key.id, { displayName: spoof })).rejects.toMatchObject(
        refusedNaming('displayName'),
      );
      await expect(lk.createOrg({ name: spoof })).rejects.toMatchObject(refusedNaming('name'));
      const org = await lk.createOrg({ name: 'Acme' });
      await expect(lk.updateOrg(org.id, { name: spoof })).rejects.toMatchObject(
        refusedNaming('name'),
      );
      for (const field of ['firstName', 'lastName', 'username']) {
        await expect(
          lk.createUser({ email: `${field}@example.com`, [field]: spoof }),
        ).rejects.toMatchObject(refusedNaming(field));
        await expect(lk.updateUser(user.id, { [field]: spoof })).rejects.toMatchObject(
          refusedNaming(field),
        );
      }
      await expect(lk.createIntegrationKey(spoof)).rejects.toMatchObject(refusedNaming('name'));
      expect((await lk.fetchOrg(org.id)).name).toBe('Acme');
    },
  );

  it('still accepts right-to-left text itself', async () => {
    const org = await lk.createOrg({ name: 'شركة Acme' });
    expect(org.name).toBe('شركة Acme');
  });
});

describe('names with control characters', () => {
  it.each([
    ['a line break', 'line one\nline two'],
    ['a carriage return', 'one\rtwo'],
    ['a tab', 'one\ttwo'],
    ['NUL', 'one\0two'],
    ['a C1 control', 'one\u0085two'],
    ['a line separator', 'one\u2028two'],
  ])(
    'refuses %s inside a key, org, user or integration key name, naming the field',
    async (_what, name) => {
      const controls = (field: string) => ({
        code: 'invalid_input',
        fields: { [field]: [expect.stringContaining('control characters')] },
      });
      const user = await lk.createUser({ email: 'member@example.com' });
      await expect(lk.createApiKey({ userId: user.id, displayName: name })).rejects.toMatchObject(
        controls('displayName'),
      );
      await expect(lk.createOrg({ name })).rejects.toMatchObject(controls('name'));
      await expect(lk.updateUser(user.id, { firstName: name })).rejects.toMatchObject(
        controls('firstName'),
      );
      await expect(lk.createIntegrationKey(name)).rejects.toMatchObject(controls('name'));
      expect((await lk.listApiKeys({ userId: user.id })).total).toBe(0);
    },
  );
});
