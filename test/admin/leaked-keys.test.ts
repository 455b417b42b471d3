import { post, signedInAdmin } from './support';

describe('the dashboard and leaked keys', () => {
  it('reports a key as leaked from its page: revoked, audited as the admin', async () => {
    const { latchkey, admin, agent } = await signedInAdmin();
    const key = await latchkey.createApiKey({ displayName: 'shared' });
    const page = await agent.get(`/admin/keys/${key.apiKeyId}`).expect(200);
    expect(page.text).toContain(`/keys/${key.apiKeyId}/report-leak`);
    const confirm = await agent.get(`/admin/keys/${key.apiKeyId}/report-leak`).expect(200);
    expect(confirm.text).toContain('is revoked at once');
    const path = `/admin/keys/${key.apiKeyId}/report-leak`;
    expect((await post(agent, path, path)).status).toBe(303);
    expect((await latchkey.validateApiKey(key.apiKeyToken)).valid).toBe(false);
    const audit = await latchkey.listAuditEvents({ action: 'key.leaked' });
    expect(audit.items[0]).toMatchObject({
      actor: `admin:${admin.id}`,
      details: { source: 'reported on the dashboard', revoked: true },
    });
    expect((await agent.get(path)).status).toBe(409);
    await latchkey.close();
  });

  it('says on the Settings page that email is not configured, and saves the new settings', async () => {
    const { latchkey, agent } = await signedInAdmin();
    const page = await agent.get('/admin/settings').expect(200);
    expect(page.text).toContain('Email is not configured');
    expect(page.text).toContain('value="7,1"');
    await latchkey.updateSettings({ expiryReminderDays: [14], leakedKeyAction: 'flag' });
    const after = await agent.get('/admin/settings').expect(200);
    expect(after.text).toContain('value="14"');
    await latchkey.close();
  });
});
