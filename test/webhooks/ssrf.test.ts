import {
  checkEndpointUrl,
  refusedAddress,
  RefusedUrlError,
} from '../../src/core/webhooks/address-check';
import {
  MAX_ATTEMPTS,
  RETRY_DELAYS_SECONDS,
  retryDelaySeconds,
} from '../../src/core/webhooks/retry-schedule';
import { sendWebhook } from '../../src/core/webhooks/send';
import { startReceiver } from './receiver';

const closed = { allowPrivateNetworks: false };

describe('webhook addresses', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::ffff:127.0.0.1',
    'fe80::1',
    'fd00:ec2::254',
  ])('refuses %s', (address) => {
    expect(refusedAddress(address)).not.toBeNull();
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('allows %s', (address) => {
    expect(refusedAddress(address)).toBeNull();
  });

  it('refuses endpoint URLs that resolve to a private network, or are not http(s)', async () => {
    for (const url of [
      'http://localhost:8080/hook',
      'http://127.0.0.1/hook',
      'http://[::1]/hook',
      'http://169.254.169.254/latest/meta-data/',
      'file:///etc/passwd',
      'https://user:pw@example.com/',
      'not a url',
    ]) {
      await expect(checkEndpointUrl(url, closed)).rejects.toBeInstanceOf(RefusedUrlError);
    }
    await expect(
      checkEndpointUrl('http://localhost:8080/hook', { allowPrivateNetworks: true }),
    ).resolves.toBeUndefined();
  });

  it('checks the address again when sending, by name and by IP literal', async () => {
    const receiver = await startReceiver([200]);
    try {
      const opts = { timeoutMs: 2000, policy: closed };
      const byName = await sendWebhook(`http://localhost:${receiver.port}/`, {}, '{}', opts);
      const byIp = await sendWebhook(receiver.url, {}, '{}', opts);
      for (const outcome of [byName, byIp]) {
        expect(outcome.ok).toBe(false);
        expect(outcome.error).toMatch(/refused: .*loopback/);
      }
      expect(receiver.received).toHaveLength(0);
      const allowed = { timeoutMs: 2000, policy: { allowPrivateNetworks: true } };
      expect((await sendWebhook(receiver.url, {}, '{}', allowed)).ok).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});

describe('webhook retry schedule', () => {
  it('spreads its attempts over more than a day, with jitter within 20%', () => {
    const total = RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(86_400);
    expect(MAX_ATTEMPTS).toBe(RETRY_DELAYS_SECONDS.length + 1);
    expect(retryDelaySeconds(1, [100], () => 0)).toBe(80);
    expect(retryDelaySeconds(1, [100], () => 1)).toBe(120);
    expect(retryDelaySeconds(2, [100])).toBeNull();
  });
});
