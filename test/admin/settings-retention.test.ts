import { formFor, post, signedInAdmin } from './support';

async function saveRetention(changes: Record<string, unknown>) {
  const ctx = await signedInAdmin();
  const res = await post(
    ctx.agent,
    '/admin/settings',
    '/admin/settings',
    formFor(ctx.latchkey.getSettings(), changes),
  );
  return { ...ctx, res };
}

describe('retention on the admin settings form', () => {
  it('shows the retention fields with their values, archived keys empty for "keep forever"', async () => {
    const { agent } = await signedInAdmin();
    const page = await agent.get('/admin/settings').expect(200);
    expect(page.text).toContain('<legend>Retention</legend>');
    expect(page.text).toMatch(/name="auditRetentionDays" type="number" value="400"/);
    expect(page.text).toMatch(/name="usageRetentionDays" type="number" value="400"/);
    expect(page.text).toMatch(/name="archivedKeyRetentionDays" type="number" value=""/);
    expect(page.text).toContain('keep archived keys forever');
  });

  it('saves retention days, and an empty archived-key box as keep forever', async () => {
    const { res, latchkey, agent } = await saveRetention({
      auditRetentionDays: 90,
      usageRetentionDays: 30,
      archivedKeyRetentionDays: 7,
    });
    expect(res.status).toBe(303);
    expect(latchkey.getSettings()).toMatchObject({
      auditRetentionDays: 90,
      usageRetentionDays: 30,
      archivedKeyRetentionDays: 7,
    });
    const again = await post(
      agent,
      '/admin/settings',
      '/admin/settings',
      formFor(latchkey.getSettings(), { archivedKeyRetentionDays: null }),
    );
    expect(again.status).toBe(303);
    expect(latchkey.getSettings().archivedKeyRetentionDays).toBeNull();
  });

  it.each([
    ['auditRetentionDays', '0', 'must be at least 1 day'],
    ['usageRetentionDays', 'a year', 'must be a whole number'],
    ['usageRetentionDays', '', 'must be a whole number'],
    ['archivedKeyRetentionDays', '-3', 'must be at least 1 day'],
    ['auditRetentionDays', '99999', 'Too big'],
  ])('refuses %s = %j, names the field and saves nothing', async (name, value, message) => {
    const ctx = await signedInAdmin();
    const before = ctx.latchkey.getSettings();
    const res = await post(ctx.agent, '/admin/settings', '/admin/settings', {
      ...formFor(before),
      [name]: value,
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(new RegExp(`id="field-${name}-error">[^<]*${message}`, 'i'));
    expect(res.text).toMatch(new RegExp(`name="${name}" type="number" value="${value}"`));
    expect(ctx.latchkey.getSettings()).toEqual(before);
  });
});
