import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { ConfigError, loadConfig } from '../../src/config';
import { generateToken } from '../../src/core/token';
import { createLogger } from '../../src/logger';
import { startServer } from '../../src/server';
import { LogCapture, makeLatchkey } from '../support/harness';

describe('TRUST_PROXY', () => {
  it('takes what Express takes: false, true, a hop count, or proxy addresses and ranges', () => {
    const read = (value: string) => loadConfig({ TRUST_PROXY: value }).TRUST_PROXY;
    expect(read('false')).toBe(false);
    expect(read('0')).toBe(false);
    expect(read('true')).toBe(true);
    expect(read('1')).toBe(1);
    expect(read('2')).toBe(2);
    expect(read('loopback')).toEqual(['loopback']);
    expect(read('loopback, linklocal,uniquelocal')).toEqual([
      'loopback',
      'linklocal',
      'uniquelocal',
    ]);
    expect(read('10.0.0.1, 10.0.0.0/8, 2001:db8::/32, ::1')).toEqual([
      '10.0.0.1',
      '10.0.0.0/8',
      '2001:db8::/32',
      '::1',
    ]);
  });

  it.each(['maybe', '10.0.0.300', '10.0.0.0/33', 'loopback,', '1.5'])(
    'refuses %j, naming the variable',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    },
  );

  it('warns at start-up that true lets a client pick its own address', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-trust-'));
    const start = async (value: string) => {
      const config = loadConfig({
        PORT: '0',
        DATABASE_PATH: path.join(dir, 'db.sqlite'),
        TRUST_PROXY: value,
      });
      const logs = new LogCapture();
      const running = await startServer(config, createLogger({ level: 'info', destination: logs }));
      await running.stop();
      return logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string });
    };
    const warned = (await start('true')).filter((l) => /TRUST_PROXY=true/.test(l.msg));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.level).toBe(40);
    expect(warned[0]!.msg).toMatch(/pick its own address/);
    expect((await start('1')).some((l) => /TRUST_PROXY/.test(l.msg))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('the invalid-key guard behind a trusted proxy', () => {
  /** 30 unknown keys, each with a made-up left-most X-Forwarded-For entry (limit: 6 a minute). */
  async function spoofedFlood(trustProxy: string) {
    const latchkey = await makeLatchkey({ invalidKeyLimitPerMinute: 6 });
    const { TRUST_PROXY } = loadConfig({ TRUST_PROXY: trustProxy });
    const app = createApp(latchkey, { TRUST_PROXY, BODY_LIMIT: '100kb' });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await request(app)
        .post('/api/whoami')
        // The proxy appends the address it saw; everything left of it is the client's say.
        .set('X-Forwarded-For', `10.${i >> 8}.${i & 255}.1, 203.0.113.77`)
        .set('Authorization', `Bearer ${generateToken('lk')}`);
      statuses.push(res.status);
    }
    await latchkey.close();
    return statuses;
  }

  it.each([
    ['a hop count', '1'],
    ['the proxy addresses', '127.0.0.1, ::1, ::ffff:127.0.0.1'],
    ['a named range', 'loopback'],
  ])('with %s, a spoofed left-most entry does not change the address', async (_name, trust) => {
    const statuses = await spoofedFlood(trust);
    expect(statuses.slice(0, 6).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(6).every((s) => s === 429)).toBe(true);
  });

  it('with true, the left-most entry is believed: the reason for the start-up warning', async () => {
    const statuses = await spoofedFlood('true');
    expect(statuses.every((s) => s === 401)).toBe(true);
  });
});
