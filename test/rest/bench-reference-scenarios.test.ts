import { referenceScenarios } from '../../bench/reference-scenarios';
import type { BenchFixture } from '../../bench/scenario';
import { createRequestListener } from '../../src/app';
import { closeServer, listen } from '../client/support';
import { makeLatchkey } from '../support/harness';
import { sendBenchRequest } from './support';

const APP_CONFIG = { TRUST_PROXY: false, BODY_LIMIT: '100kb' };

/** The bench's reference routes: each must answer as the scenario it bounds does. */
describe('bench reference routes', () => {
  let latchkey: Awaited<ReturnType<typeof makeLatchkey>>;
  let fixture: BenchFixture;
  let close: () => Promise<void>;
  const opened: (() => void)[] = [];

  beforeAll(async () => {
    latchkey = await makeLatchkey();
    const user = await latchkey.createUser({ email: 'bench@example.com' });
    const { apiKeyToken: token } = await latchkey.createApiKey({ userId: user.id });
    const { token: integrationKey } = await latchkey.createIntegrationKey('bench');
    const { server, url } = await listen(createRequestListener(latchkey, APP_CONFIG));
    close = () => closeServer(server);
    fixture = {
      backendApi: { origin: url, integrationKey },
      latchkey,
      token,
      userId: user.id,
      onStop: (stop: () => void) => void opened.push(stop),
    } as unknown as BenchFixture;
  });
  afterAll(async () => {
    for (const stop of opened) stop();
    await close();
    await latchkey.close();
  });

  const answerOf = async (name: string) => {
    const scenario = referenceScenarios.find((s) => s.name === name);
    if (!scenario) throw new Error(`no reference scenario "${name}"`);
    return sendBenchRequest(scenario, fixture);
  };

  it.each(referenceScenarios.map((s) => s.name))(
    '"%s" answers its expected status',
    async (name) => {
      const { res, expected } = await answerOf(name);
      expect(res.status).toBe(expected);
    },
  );

  it('the node:http route sends the headers a REST validation answer carries', async () => {
    const { res } = await answerOf(
      'REST validate (lean path), against node:http with the same headers',
    );
    expect(res.status).toBe(200);
    const baseline = referenceScenarios.find((s) => s.name.startsWith('REST validate'))?.baseline;
    if (!baseline) throw new Error('the lean-path reference names no baseline');
    const { res: plain } = await sendBenchRequest(baseline, fixture);
    const names = (h: Record<string, unknown>) =>
      Object.keys(h)
        .filter((n) => !['etag', 'date', 'connection', 'keep-alive'].includes(n))
        .sort();
    expect(names(plain.headers)).toEqual(names(res.headers));
    // And the request really reached the validation route: its answer names the key.
    expect(res.body).toEqual(expect.objectContaining({ api_key_id: expect.any(String) }));
  });
});
