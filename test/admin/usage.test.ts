import { barChart, lastDays, niceCeiling } from '../../src/http/admin/usage-chart';
import { dayOf, nowSeconds } from '../../src/core/time';
import { aUserWithPassword } from '../support/pages';
import { signedInAdmin, whoami } from './support';

const tableRows = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<tr><th scope="row">([\d-]+)<\/th><td>(\d+)<\/td><\/tr>/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]),
  );

describe('admin usage page', () => {
  it('shows validations per day for 30 days as an SVG chart and a table, overall and per key, user and org', async () => {
    const { app, agent, latchkey } = await signedInAdmin();
    const user = await aUserWithPassword(latchkey);
    const org = await latchkey.createOrg({ name: 'Stark' });
    await latchkey.addUserToOrg(org.id, user.id, 'Owner');
    const personal = await latchkey.createApiKey({ userId: user.id });
    const orgKey = await latchkey.createApiKey({ orgId: org.id });
    for (let i = 0; i < 3; i++) await whoami(app, personal.apiKeyToken).expect(200);
    await whoami(app, orgKey.apiKeyToken).expect(200);
    const today = dayOf(nowSeconds());

    const overall = await agent.get('/admin/usage').expect(200);
    expect(overall.text).toContain('<svg');
    expect(overall.text.match(/<rect /g)).toHaveLength(30);
    const rows = tableRows(overall.text);
    expect(Object.keys(rows)).toHaveLength(30);
    expect(rows[today]).toBe(4);

    expect(tableRows((await agent.get(`/admin/usage?key=${personal.apiKeyId}`)).text)[today]).toBe(
      3,
    );
    expect(
      tableRows((await agent.get(`/admin/usage?user=${encodeURIComponent(user.email)}`)).text)[
        today
      ],
    ).toBe(3);
    expect(tableRows((await agent.get(`/admin/usage?org=${org.id}`)).text)[today]).toBe(1);
  });

  it('says what is wrong with a bad filter instead of failing', async () => {
    const { agent } = await signedInAdmin();
    const page = await agent.get('/admin/usage?key=nope&org=nope').expect(200);
    expect(page.text).toContain('Key id must be 32 hex characters.');
    expect(page.text).toContain('Org id must be a UUID.');
  });
});

describe('usage chart geometry', () => {
  it('rounds the scale up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 180, 999].map(niceCeiling)).toEqual([1, 1, 5, 10, 20, 200, 1000]);
  });

  it('fills days without usage with zero, oldest first', () => {
    expect(lastDays('2026-03-02', 3, [{ day: '2026-03-01', count: 4 }])).toEqual([
      { day: '2026-02-28', count: 0 },
      { day: '2026-03-01', count: 4 },
      { day: '2026-03-02', count: 0 },
    ]);
  });

  it('draws the tallest bar to the top of the scale and empty days as zero height', () => {
    const chart = barChart([
      { day: '2026-03-01', count: 0 },
      { day: '2026-03-02', count: 10 },
    ]);
    expect(chart.max).toBe(10);
    expect(chart.bars[0]!.height).toBe(0);
    expect(chart.bars[1]!.height).toBeCloseTo(chart.plotHeight - 8);
    expect(chart.bars[1]!.x).toBeGreaterThan(chart.bars[0]!.x);
  });
});
