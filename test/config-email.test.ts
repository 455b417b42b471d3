import { ConfigError, loadConfig } from '../src/config';

describe('email and secret-scanning configuration', () => {
  it('reads the SMTP server, sender, public URL and key source', () => {
    expect(
      loadConfig({
        SMTP_URL: 'smtps://user:pass@mail.example.com:465',
        EMAIL_FROM: 'Acme <keys@acme.example>',
        PUBLIC_URL: 'https://keys.acme.example',
        SECRET_SCANNING_KEYS_URL: 'https://api.github.com/meta/public_keys/secret_scanning',
      }),
    ).toMatchObject({
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      EMAIL_FROM: 'Acme <keys@acme.example>',
      PUBLIC_URL: 'https://keys.acme.example',
      EXPIRY_REMINDER_INTERVAL_MS: 3_600_000,
    });
  });

  it('needs EMAIL_FROM with SMTP_URL, and names a bad URL without showing it', () => {
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.com' })).toThrow('EMAIL_FROM');
    try {
      loadConfig({ SMTP_URL: 'http://user:secret@x', EMAIL_FROM: 'a@b.c' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        'SMTP_URL: must be an smtp:// or smtps:// URL',
      ]);
    }
  });
});
