import { createLogger } from '../src/logger';
import { LogCapture } from './support/harness';

const SECRET = 'lk_SuperSecretValue0123456789';

function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
  const capture = new LogCapture();
  write(createLogger({ level: 'debug', destination: capture }));
  return capture.text;
}

describe('logger redaction', () => {
  it.each([
    'authorization',
    'cookie',
    'password',
    'token',
    'apiKeyToken',
    'api_key_token',
    'integrationKey',
    'sessionId',
  ])('redacts %s at the top level and one level down', (name) => {
    const text = logged((l) => {
      l.info({ [name]: SECRET }, 'top');
      l.info({ outer: { [name]: SECRET } }, 'nested');
    });
    expect(text).not.toContain(SECRET);
    expect(text.match(/\[redacted\]/g)).toHaveLength(2);
  });

  it('redacts request and response headers as HTTP loggers write them', () => {
    const text = logged((l) =>
      l.info({
        req: { headers: { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}` } },
        res: { headers: { 'set-cookie': `sid=${SECRET}` } },
      }),
    );
    expect(text).not.toContain(SECRET);
  });

  it('redacts secret-named fields at any depth, inside arrays and in any letter case', () => {
    const text = logged((l) =>
      l.info({
        a: { b: { c: { d: { password: SECRET } } } },
        list: [{ user: { Password: SECRET } }, [{ TOKEN: SECRET }]],
        request: { headers: { Authorization: SECRET, Cookie: SECRET } },
        body: { user: { new_password: 'x', apiKeyToken: SECRET } },
      }),
    );
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text).a.b.c.d.password).toBe('[redacted]');
  });

  it('redacts secret-named fields of a logged error', () => {
    const err = Object.assign(new Error('request failed'), {
      config: { headers: { authorization: `Bearer ${SECRET}` } },
      token: SECRET,
    });
    const text = logged((l) => l.error({ err }, 'failed'));
    expect(text).not.toContain(SECRET);
    const line = JSON.parse(text);
    expect(line.err.message).toBe('request failed');
    expect(line.err.stack).toContain('request failed');
  });

  it('keeps everything else, including names that merely contain a secret word', () => {
    const line = JSON.parse(
      logged((l) =>
        l.info({ tokenPrefix: 'lk', userId: 'u1', nested: { hint: 'lk_…abcd', count: 3 } }),
      ),
    );
    expect(line).toMatchObject({
      tokenPrefix: 'lk',
      userId: 'u1',
      nested: { hint: 'lk_…abcd', count: 3 },
    });
  });

  it('copes with cycles and very deep objects without throwing', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { password: SECRET };
    for (let i = 0; i < 200; i++) deep = { deeper: deep };
    const text = logged((l) => {
      l.info({ cyclic }, 'cycle');
      l.info({ deep }, 'deep');
    });
    expect(text).not.toContain(SECRET);
    expect(text.trim().split('\n')).toHaveLength(2);
  });

  it('does not change the object that was logged', () => {
    const obj = { password: SECRET, nested: { token: SECRET } };
    logged((l) => l.info(obj));
    expect(obj).toEqual({ password: SECRET, nested: { token: SECRET } });
  });
});
