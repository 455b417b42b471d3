import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebhookWorker } from '../../src/core/webhooks/delivery-worker';
import { newEvent } from '../../src/core/events';
import { newSigningSecret } from '../../src/core/webhooks/signing';
import { createLogger } from '../../src/logger';
import { createSqliteStore } from '../../src/store/sqlite';
import { spawnTs, waitForLine } from '../support/child';
import { startReceiver } from '../webhooks/receiver';

const CHILD = 'test/reliability/children/webhook-worker.ts';
const page = { limit: 500, offset: 0 };

async function addEndpoint(file: string, url: string): Promise<string> {
  const store = createSqliteStore(file);
  const id = `whe_${path.basename(file)}`;
  await store.insertEndpoint({
    id,
    url,
    events: ['*'],
    enabled: true,
    secret: newSigningSecret(),
    createdAt: Math.floor(Date.now() / 1000),
    disabledReason: null,
    failingSince: null,
  });
  await store.close();
  return id;
}

/** A worker in this process over the file, its clock `aheadSeconds` in the future. */
async function deliverHere(file: string, aheadSeconds = 0) {
  const store = createSqliteStore(file);
  const now = () => Math.floor(Date.now() / 1000) + aheadSeconds;
  const worker = new WebhookWorker(store, createLogger({ level: 'silent' }), {
    allowPrivateNetworks: true,
    now,
  });
  await worker.runOnce();
  return store;
}

describe('webhooks across crashes and processes (SQLite)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-webhooks-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('delivers the event of a change made by a process killed before any delivery', async () => {
    const receiver = await startReceiver([200]);
    const file = path.join(dir, 'before.db');
    await addEndpoint(file, receiver.url);
    const { child, lines, exited } = spawnTs(CHILD, [file, 'emit']);
    const keyId = (await waitForLine(lines, (l) => l.startsWith('created '))).split(' ')[1];
    child.kill('SIGKILL');
    expect(await exited).toMatchObject({ signal: 'SIGKILL' });

    const store = await deliverHere(file);
    expect(receiver.received.map((r) => JSON.parse(r.body).data.apiKeyId)).toEqual([keyId]);
    await store.close();
    await receiver.close();
  });

  it('delivers again, with the same webhook-id, what a killed process was sending', async () => {
    const receiver = await startReceiver([0, 200]);
    const file = path.join(dir, 'during.db');
    const endpointId = await addEndpoint(file, receiver.url);
    const { child, lines, exited } = spawnTs(CHILD, [file, 'emit-and-deliver']);
    await waitForLine(lines, (l) => l.startsWith('created '));
    while (receiver.received.length === 0) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;

    // The killed worker's claim holds until its lease ends; a worker after that takes it.
    const early = await deliverHere(file);
    expect(receiver.received).toHaveLength(1);
    await early.close();
    const later = await deliverHere(file, 120);
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    const [delivery] = (await later.listDeliveries(endpointId, page)).items;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
    await later.close();
    await receiver.close();
  });

  it('has two processes on one database deliver each event once', async () => {
    const receiver = await startReceiver([200]);
    const file = path.join(dir, 'two.db');
    const endpointId = await addEndpoint(file, receiver.url);
    const store = createSqliteStore(file);
    const events = Array.from({ length: 60 }, (_, i) => newEvent('api_key.created', { i }));
    await store.insertEvents(events);
    await store.close();

    const children = [spawnTs(CHILD, [file, 'deliver']), spawnTs(CHILD, [file, 'deliver'])];
    const done = await Promise.all(
      children.map((c) => waitForLine(c.lines, (l) => l.startsWith('done '), 30_000)),
    );
    await Promise.all(children.map((c) => c.exited));
    const attempts = done.map((l) => Number(l.split(' ')[1]));
    expect(attempts[0]! + attempts[1]!).toBe(60);

    const ids = receiver.received.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(60);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
    const check = createSqliteStore(file);
    const deliveries = (await check.listDeliveries(endpointId, page)).items;
    expect(deliveries.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
    await check.close();
    await receiver.close();
  }, 60_000);
});
