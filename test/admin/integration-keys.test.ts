import { digestToken } from '../../src/core/token';
import { post, signedInAdmin } from './support';

const shown = (html: string) =>
  /<textarea id="new-key-token"[^>]*>([^<]+)<\/textarea>/.exec(html)?.[1]?.trim() ?? null;

describe('admin integration keys page', () => {
  it('creates a key, shows its lki_ token once and stores only its digest', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const res = await post(agent, '/admin/integration-keys', '/admin/integration-keys', {
      name: 'billing service',
    });
    expect(res.status).toBe(303);
    const first = await agent.get('/admin/integration-keys').expect(200);
    const token = shown(first.text);
    expect(token).toMatch(/^lki_[0-9A-Za-z]{49}$/);
    const [stored] = await latchkey.store.listIntegrationKeys();
    expect(stored).toMatchObject({ name: 'billing service', digest: digestToken(token!) });
    const again = await agent.get('/admin/integration-keys').expect(200);
    expect(shown(again.text)).toBeNull();
    expect(again.text).not.toContain(token);
    expect(again.text).toContain(stored!.hint);
    expect(latchkey.logs.text).not.toContain(token);
  });

  it('lists keys with their last use', async () => {
    const { agent, latchkey } = await signedInAdmin();
    await post(agent, '/admin/integration-keys', '/admin/integration-keys', { name: 'crm sync' });
    const [key] = await latchkey.store.listIntegrationKeys();
    await latchkey.store.touchIntegrationKey(key!.id, Date.parse('2026-03-04T05:06:00Z') / 1000);
    const page = await agent.get('/admin/integration-keys').expect(200);
    expect(page.text).toContain('crm sync');
    expect(page.text).toContain('4 Mar 2026');
  });

  it('revokes a key after confirmation', async () => {
    const { agent, latchkey } = await signedInAdmin();
    await post(agent, '/admin/integration-keys', '/admin/integration-keys', {
      name: 'old backend',
    });
    const [key] = await latchkey.store.listIntegrationKeys();
    const path = `/admin/integration-keys/${key!.id}/revoke`;
    expect((await agent.get(path).expect(200)).text).toContain('are refused from now on');
    const res = await post(agent, path, path);
    expect(res.status).toBe(303);
    const [after] = await latchkey.store.listIntegrationKeys();
    expect(after!.archivedAt).not.toBeNull();
    expect((await agent.get('/admin/integration-keys')).text).toContain('Revoked');
  });

  it('refuses an empty name with the field named and creates nothing', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const res = await post(agent, '/admin/integration-keys', '/admin/integration-keys', {
      name: '',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('href="#field-name"');
    expect(await latchkey.store.listIntegrationKeys()).toEqual([]);
  });
});
