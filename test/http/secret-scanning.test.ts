import { generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import type { KeyEventName } from '../../src/core/key-events';
import { generateToken } from '../../src/core/token';
import type { JsonObject } from '../../src/core/types';
import { makeLatchkey, type TestLatchkey } from '../support/harness';
import { startSmtpSink } from '../support/smtp-sink';
import { aWorld } from '../support/world';

const PATH = '/api/secret-scanning/v1/verify';

/** A sender's key pair, as a secret scanning partner program would hold it. */
const sender = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signed = (body: string, privateKey = sender.privateKey) =>
  sign('sha256', Buffer.from(body), privateKey).toString('base64');

describe('the secret-scanning endpoint', () => {
  let dir: string;
  let lk: TestLatchkey;
  let app: ReturnType<typeof createApp>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  const events: [KeyEventName, JsonObject][] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-scanning-'));
    const keysFile = path.join(dir, 'keys.json');
    fs.writeFileSync(
      keysFile,
      JSON.stringify({
        public_keys: [
          {
            key_identifier: 'k1',
            key: sender.publicKey.export({ type: 'spki', format: 'pem' }),
            is_current: true,
          },
        ],
      }),
    );
    smtp = await startSmtpSink();
    events.length = 0;
    lk = await makeLatchkey({
      email: { smtpUrl: smtp.url, from: 'keys@acme.example', pagesUrl: 'https://acme.example' },
      onKeyEvent: (name, data) => events.push([name, data]),
    });
    app = createApp(lk, {
      TRUST_PROXY: false,
      BODY_LIMIT: '100kb',
      SECRET_SCANNING_KEYS_FILE: keysFile,
    });
  });
  afterEach(async () => {
    await lk.close();
    await smtp.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: string, headers: Record<string, string>) =>
    request(app).post(PATH).set('Content-Type', 'application/json').set(headers).send(body);

  it('revokes a reported key, audits where it was found, raises the event, emails the owner', async () => {
    const { user } = await aWorld(lk);
    const key = await lk.createApiKey({ userId: user.id });
    const stranger = generateToken('lk');
    const body = JSON.stringify([
      {
        token: key.apiKeyToken,
        type: 'latchkey_api_key',
        url: 'https://github.com/a/b/blob/x/.env',
        source: 'content',
      },
      { token: stranger, type: 'latchkey_api_key', url: 'https://github.com/c', source: 'commit' },
    ]);
    const res = await post(body, {
      'Github-Public-Key-Identifier': 'k1',
      'Github-Public-Key-Signature': signed(body),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { token_raw: key.apiKeyToken, token_type: 'latchkey_api_key', label: 'true_positive' },
      { token_raw: stranger, token_type: 'latchkey_api_key', label: 'false_positive' },
    ]);
    expect((await lk.validateApiKey(key.apiKeyToken)).valid).toBe(false);
    expect((await lk.fetchApiKey(key.apiKeyId)).archivedAt).not.toBeNull();
    const audit = await lk.listAuditEvents({ action: 'key.leaked' });
    expect(audit.items[0]).toMatchObject({
      targetId: key.apiKeyId,
      details: { url: 'https://github.com/a/b/blob/x/.env', source: 'content', revoked: true },
    });
    expect(events).toEqual([
      ['api_key.leaked', expect.objectContaining({ keyId: key.apiKeyId, revoked: true })],
    ]);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual([user.email]);
    expect(mail!.subject).toContain('was found exposed and revoked');
    expect(mail!.body).toContain('https://github.com/a/b/blob/x/.env');
  });

  it('only flags the key when the setting says so', async () => {
    await lk.updateSettings({ leakedKeyAction: 'flag' });
    const { user } = await aWorld(lk);
    const key = await lk.createApiKey({ userId: user.id });
    const body = JSON.stringify([{ token: key.apiKeyToken, type: 't', url: 'u', source: 's' }]);
    const res = await post(body, {
      'Github-Public-Key-Identifier': 'k1',
      'Github-Public-Key-Signature': signed(body),
    });
    expect(res.body[0].label).toBe('true_positive');
    expect((await lk.validateApiKey(key.apiKeyToken)).valid).toBe(true);
    expect((await lk.listAuditEvents({ action: 'key.leaked' })).items[0]?.details).toMatchObject({
      revoked: false,
    });
    expect(events).toHaveLength(1);
    expect((await smtp.waitFor(1))[0]!.subject).not.toContain('revoked');
  });

  it('answers 401 and changes nothing for a missing, wrong or foreign signature', async () => {
    const { user } = await aWorld(lk);
    const key = await lk.createApiKey({ userId: user.id });
    const body = JSON.stringify([{ token: key.apiKeyToken, type: 't', url: 'u', source: 's' }]);
    const cases: Record<string, string>[] = [
      {},
      { 'Github-Public-Key-Identifier': 'k1' },
      {
        'Github-Public-Key-Identifier': 'k1',
        'Github-Public-Key-Signature': 'bm90IGEgc2lnbmF0dXJl',
      },
      {
        'Github-Public-Key-Identifier': 'k1',
        'Github-Public-Key-Signature': signed(body, stranger.privateKey),
      },
      { 'Github-Public-Key-Identifier': 'k2', 'Github-Public-Key-Signature': signed(body) },
      // Signed over another body.
      { 'Github-Public-Key-Identifier': 'k1', 'Github-Public-Key-Signature': signed(`${body} `) },
    ];
    for (const headers of cases) expect((await post(body, headers)).status).toBe(401);
    expect((await lk.validateApiKey(key.apiKeyToken)).valid).toBe(true);
    expect((await lk.listAuditEvents({ action: 'key.leaked' })).items).toEqual([]);
    expect(events).toEqual([]);
  });

  it('answers 400 for a signed body that is not a list of reports', async () => {
    for (const body of ['{"token":"x"}', 'not json', '[{"type":"t"}]']) {
      const res = await post(body, {
        'Github-Public-Key-Identifier': 'k1',
        'Github-Public-Key-Signature': signed(body),
      });
      expect(res.status).toBe(400);
    }
  });

  it('is not served when no public keys are configured', async () => {
    const plain = createApp(lk, { TRUST_PROXY: false, BODY_LIMIT: '100kb' });
    expect((await request(plain).post(PATH).send('[]')).status).toBe(404);
  });
});
