import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Paged } from './store';
import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import { cascadeEvents, newEvent } from './events';
import { createOrgInput, isUuid, parseInput, updateOrgInput } from './inputs';
import { pageOf, textFilter, type PageRequest } from './paging';
import { nowSeconds } from './time';
import type { Org } from './types';

/** Organizations, with the key cascade deleting one implies. */

export type CreateOrgInput = z.input<typeof createOrgInput>;
export type UpdateOrgInput = z.input<typeof updateOrgInput>;

export const unknownOrg = () => LatchkeyError.fieldNotFound('orgId', 'no organization has this id');

const nameTaken = () =>
  new LatchkeyError('conflict', 'urlSafeName: an organization with this name already exists', {
    urlSafeName: ['an organization with this name already exists'],
  });

export async function requireOrg(core: Core, orgId: unknown): Promise<Org> {
  const org = isUuid(orgId) ? await core.store.findOrgById(orgId) : null;
  if (!org) throw unknownOrg();
  return org;
}

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug || 'org';
}

export async function createOrg(core: Core, input: unknown, by?: Actor): Promise<Org> {
  const data = parseInput(createOrgInput, input);
  const base = data.urlSafeName ?? slugify(data.name);
  const org: Org = {
    id: randomUUID(),
    name: data.name,
    urlSafeName: base,
    metadata: data.metadata ?? {},
    createdAt: nowSeconds(),
  };
  // An explicit url-safe name must be free; a derived one gets a numeric suffix when taken.
  for (let attempt = 1; !(await core.store.insertOrg(org)); attempt++) {
    if (data.urlSafeName || attempt > 50) throw nameTaken();
    org.urlSafeName = `${base}-${attempt + 1}`;
  }
  await audit(core, by, 'org.created', 'org', org.id, { name: org.name });
  return org;
}

export const getOrg = (core: Core, orgId: unknown): Promise<Org> => requireOrg(core, orgId);

export async function listOrgs(
  core: Core,
  filter: { nameContains?: string },
  page?: PageRequest,
): Promise<Paged<Org>> {
  const nameContains = textFilter(filter, 'nameContains');
  return core.store.listOrgs({ nameContains }, pageOf(page));
}

export async function updateOrg(
  core: Core,
  orgId: unknown,
  input: unknown,
  by?: Actor,
): Promise<Org> {
  const org = await requireOrg(core, orgId);
  const data = parseInput(updateOrgInput, input);
  const updated = await core.store.updateOrg(org.id, data);
  if (updated === 'name_taken') throw nameTaken();
  if (!updated) throw unknownOrg();
  core.validator.forgetAll();
  await audit(core, by, 'org.updated', 'org', org.id, data);
  return updated;
}

/** Deleting an org archives every key of the org. */
export async function deleteOrg(
  core: Core,
  orgId: unknown,
  by?: Actor,
): Promise<{ archivedKeyIds: string[] }> {
  const org = await requireOrg(core, orgId);
  const result = await core.store.deleteOrgAndArchiveKeys(
    org.id,
    nowSeconds(),
    cascadeEvents(
      newEvent('org.deleted', { orgId: org.id, actor: by?.actor ?? 'library' }),
      'org_deleted',
      by,
    ),
  );
  if (!result) throw unknownOrg();
  core.validator.forgetAll();
  await audit(core, by, 'org.deleted', 'org', org.id, {
    name: org.name,
    archivedKeyIds: result.archivedKeyIds,
  });
  return result;
}
