import { z } from 'zod';
import { audit, type Actor, type Core } from '../../core/context';
import { LatchkeyError } from '../../core/errors';
import { parseInput } from '../../core/inputs';
import { nowSeconds } from '../../core/time';
import { digestToken, generateToken, newKeyId, tokenHint } from '../../core/token';
import type { IntegrationKey } from '../../core/types';

/**
 * Integration keys as the dashboard needs them: create (token shown once), list, archive.
 * Same shapes as the core integration-keys module, so the page can switch to it unchanged.
 */

export const INTEGRATION_KEY_PREFIX = 'lki';
export type IntegrationKeyView = Omit<IntegrationKey, 'digest'>;

const viewOf = ({ digest: _digest, ...view }: IntegrationKey): IntegrationKeyView => view;
const nameInput = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
});

export async function createIntegrationKey(
  core: Core,
  name: unknown,
  by?: Actor,
): Promise<{ token: string; key: IntegrationKeyView }> {
  const { name: validName } = parseInput(nameInput, { name });
  const token = generateToken(INTEGRATION_KEY_PREFIX);
  const key: IntegrationKey = {
    id: newKeyId(),
    digest: digestToken(token),
    name: validName,
    hint: tokenHint(token),
    createdAt: nowSeconds(),
    lastUsedAt: null,
    archivedAt: null,
  };
  await core.store.insertIntegrationKey(key);
  await audit(core, by, 'integration_key.created', 'settings', key.id, { name: key.name });
  return { token, key: viewOf(key) };
}

export async function listIntegrationKeys(core: Core): Promise<IntegrationKeyView[]> {
  return (await core.store.listIntegrationKeys()).map(viewOf);
}

export async function archiveIntegrationKey(
  core: Core,
  id: unknown,
  by?: Actor,
): Promise<IntegrationKeyView> {
  const archived =
    typeof id === 'string' && id.length <= 64
      ? await core.store.archiveIntegrationKey(id, nowSeconds())
      : null;
  if (!archived) throw LatchkeyError.notFound('Integration key');
  await audit(core, by, 'integration_key.archived', 'settings', archived.id, {
    name: archived.name,
  });
  return viewOf(archived);
}
