import { createApp } from '../../src/app';
import { makeLatchkey } from '../support/harness';

const warning = /SESSION_SECRET is not set/g;

describe('session secret of the standalone app', () => {
  it('warns once, for both page areas, when SESSION_SECRET is missing', async () => {
    const latchkey = await makeLatchkey();
    createApp(latchkey, { TRUST_PROXY: false, BODY_LIMIT: '100kb' });
    expect(latchkey.logs.text.match(warning)).toHaveLength(1);
    await latchkey.close();
  });

  it('does not warn when SESSION_SECRET is set', async () => {
    const latchkey = await makeLatchkey();
    createApp(latchkey, {
      TRUST_PROXY: false,
      BODY_LIMIT: '100kb',
      SESSION_SECRET: 'a'.repeat(40),
    });
    expect(latchkey.logs.text).not.toMatch(warning);
    await latchkey.close();
  });
});
