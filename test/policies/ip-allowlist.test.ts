import { IpAllowlist, normalizeIpEntry } from '../../src/core/ip-allowlist';
import { makeLatchkey, type TestLatchkey } from '../support/harness';

describe('IP allowlists in the library', () => {
  let lk: TestLatchkey;
  beforeEach(async () => {
    lk = await makeLatchkey();
  });
  afterEach(async () => lk.close());

  it('normalizes addresses and ranges, dropping duplicates', async () => {
    const { key } = await lk.createApiKey({
      allowedIps: [
        '10.1.2.3/8',
        '2001:0DB8::0001',
        '::ffff:192.0.2.7',
        '192.0.2.7',
        ' 10.0.0.0/8 ',
      ],
    });
    expect(key.allowedIps).toEqual(['10.0.0.0/8', '2001:db8::1', '192.0.2.7']);
    expect(normalizeIpEntry('192.0.2.7/32')).toBe('192.0.2.7');
    expect(normalizeIpEntry('2001:db8::/129')).toBeNull();
  });

  it('refuses entries that are not addresses, and more than 100 of them, naming the field', async () => {
    await expect(lk.createApiKey({ allowedIps: ['10.0.0.300'] })).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { allowedIps: ['"10.0.0.300" is not an IP address or CIDR range'] },
    });
    const many = Array.from({ length: 101 }, (_, i) => `10.0.${i}.1`);
    await expect(lk.createApiKey({ allowedIps: many })).rejects.toMatchObject({
      fields: { allowedIps: ['must list at most 100 addresses or ranges'] },
    });
  });

  it('lets a key through only from a listed address, with ip_not_allowed otherwise', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({
      allowedIps: ['203.0.113.0/24', '2001:db8::/32'],
    });
    expect((await lk.validateApiKey(apiKeyToken, { ip: '203.0.113.9' })).valid).toBe(true);
    expect((await lk.validateApiKey(apiKeyToken, { ip: '::ffff:203.0.113.9' })).valid).toBe(true);
    expect((await lk.validateApiKey(apiKeyToken, { ip: '2001:db8:1::5' })).valid).toBe(true);
    expect(await lk.validateApiKey(apiKeyToken, { ip: '198.51.100.1' })).toEqual({
      valid: false,
      reason: 'ip_not_allowed',
      message: 'The API key may not be used from this address.',
    });
    // No address known: a key with an allowlist does not pass.
    expect(await lk.validateApiKey(apiKeyToken)).toMatchObject({ reason: 'ip_not_allowed' });
    expect(await lk.validateApiKeyInline(apiKeyToken, { ip: 'garbage' })).toMatchObject({
      reason: 'ip_not_allowed',
    });
    // Refused validations are not counted as use.
    await lk.flushUsage();
    expect(await lk.fetchApiKeyUsage({ apiKeyId })).toBe(3);
  });

  it('changes and removes the allowlist on update', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({ allowedIps: ['192.0.2.1'] });
    expect((await lk.validateApiKey(apiKeyToken, { ip: '192.0.2.2' })).valid).toBe(false);
    await lk.updateApiKey(apiKeyId, { allowedIps: ['192.0.2.0/30'] });
    expect((await lk.validateApiKey(apiKeyToken, { ip: '192.0.2.2' })).valid).toBe(true);
    expect((await lk.updateApiKey(apiKeyId, { allowedIps: null })).allowedIps).toBeNull();
    expect((await lk.validateApiKey(apiKeyToken, { ip: '198.51.100.1' })).valid).toBe(true);
    expect((await lk.updateApiKey(apiKeyId, { allowedIps: [] })).allowedIps).toBeNull();
  });

  it('matches IPv4 and IPv6 ranges apart', () => {
    const list = new IpAllowlist(['0.0.0.0/0']);
    expect(list.allows('8.8.8.8')).toBe(true);
    expect(list.allows('2001:db8::1')).toBe(false);
    expect(list.allows(undefined)).toBe(false);
  });
});
