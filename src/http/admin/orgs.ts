import type { Request, Response, Router } from 'express';
import { LatchkeyError } from '../../core/errors';
import { isUuid } from '../../core/inputs';
import { countKeys, keyPage, orgOrNull } from '../lookups';
import { nowSeconds } from '../../core/time';
import { ORG_ROLES, type Org } from '../../core/types';
import type { Latchkey } from '../../latchkey';
import { basePathOf, flash, keepForm, renderPage } from '../pages/render';
import { consumeFormId } from '../pages/security';
import { actorOf, pageParam, queryText } from './admin-session';
import { findUser, plural } from './users';

const PAGE_SIZE = 25;
const LABELS = { name: 'Name', email: 'Member email', role: 'Role', urlSafeName: 'Name' };
const ROLE_OPTIONS = ORG_ROLES.map((r) => ({ value: r, label: r }));

async function findOrg(latchkey: Latchkey, id: unknown): Promise<Org> {
  const org = isUuid(id) ? await orgOrNull(latchkey, id.toLowerCase()) : null;
  if (!org) throw LatchkeyError.notFound('Organization');
  return org;
}

const text = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

/** Orgs: create, rename, delete, and their members and roles. */
export function registerOrgRoutes(router: Router, latchkey: Latchkey): void {
  const orgPath = (req: Request, res: Response, id: string) => `${basePathOf(req, res)}/orgs/${id}`;

  const listLocals = async (req: Request) => {
    const q = queryText(req, 'q');
    const paging = pageParam(req, PAGE_SIZE);
    const orgs = await latchkey.listOrgs(
      { nameContains: q },
      { pageSize: paging.limit, pageNumber: paging.page - 1 },
    );
    return {
      title: 'Organizations',
      q: q ?? '',
      orgs,
      paging,
      pageSize: PAGE_SIZE,
      fieldLabels: LABELS,
    };
  };

  const detailLocals = async (org: Org) => {
    const now = nowSeconds();
    const [members, keys] = await Promise.all([
      latchkey.fetchUsersInOrg(org.id, { pageSize: 1000 }),
      keyPage(latchkey, { orgId: org.id }, { limit: 100, offset: 0 }),
    ]);
    return {
      title: org.name,
      org,
      members,
      keys,
      now,
      roleOptions: ROLE_OPTIONS,
      fieldLabels: LABELS,
    };
  };

  router.get('/orgs', async (req, res) => {
    await renderPage(req, res, 'admin/orgs', await listLocals(req));
  });

  router.post('/orgs', async (req, res) => {
    keepForm(res, 'admin/orgs', await listLocals(req));
    consumeFormId(req);
    const org = await latchkey.createOrg({ name: text(req.body, 'name') }, actorOf(req, res));
    flash(req, 'success', `Created the organization ${org.name}.`);
    res.redirect(303, orgPath(req, res, org.id));
  });

  router.get('/orgs/:orgId', async (req, res) => {
    const org = await findOrg(latchkey, req.params.orgId);
    await renderPage(req, res, 'admin/org', await detailLocals(org));
  });

  router.post('/orgs/:orgId/rename', async (req, res) => {
    const org = await findOrg(latchkey, req.params.orgId);
    keepForm(res, 'admin/org', await detailLocals(org));
    consumeFormId(req);
    const updated = await latchkey.updateOrg(
      org.id,
      { name: text(req.body, 'name') },
      actorOf(req, res),
    );
    flash(req, 'success', `Renamed to ${updated.name}.`);
    res.redirect(303, orgPath(req, res, org.id));
  });

  router.get('/orgs/:orgId/delete', async (req, res) => {
    const org = await findOrg(latchkey, req.params.orgId);
    const count = await countKeys(latchkey, { orgId: org.id, archived: false });
    await renderPage(req, res, 'admin/confirm', {
      title: `Delete the organization ${org.name}?`,
      lines: [
        `${plural(count, 'org key')} will be archived and stop working at once.`,
        'Every membership of the organization is removed. This cannot be undone.',
      ],
      action: `/orgs/${org.id}/delete`,
      button: 'Delete organization',
      back: `/orgs/${org.id}`,
    });
  });

  router.post('/orgs/:orgId/delete', async (req, res) => {
    consumeFormId(req);
    const org = await findOrg(latchkey, req.params.orgId);
    const { archivedKeyIds } = await latchkey.deleteOrg(org.id, actorOf(req, res));
    flash(
      req,
      'success',
      `Deleted ${org.name} and archived ${plural(archivedKeyIds.length, 'key')}.`,
    );
    res.redirect(303, `${basePathOf(req, res)}/orgs`);
  });

  router.post('/orgs/:orgId/members', async (req, res) => {
    const org = await findOrg(latchkey, req.params.orgId);
    keepForm(res, 'admin/org', await detailLocals(org));
    consumeFormId(req);
    const email = text(req.body, 'email').trim();
    const user = email ? await latchkey.fetchUserByEmail(email) : null;
    if (!user) throw LatchkeyError.field('email', 'no user has this email');
    if (await latchkey.fetchMembership(org.id, user.id))
      throw LatchkeyError.field('email', 'is already a member; change their role in the list');
    const m = await latchkey.addUserToOrg(
      org.id,
      user.id,
      text(req.body, 'role'),
      actorOf(req, res),
    );
    flash(req, 'success', `Added ${user.email} as ${m.role}.`);
    res.redirect(303, orgPath(req, res, org.id));
  });

  router.post('/orgs/:orgId/members/:userId/role', async (req, res) => {
    consumeFormId(req);
    const org = await findOrg(latchkey, req.params.orgId);
    const user = await findUser(latchkey, req.params.userId);
    const m = await latchkey.changeUserRoleInOrg(
      org.id,
      user.id,
      text(req.body, 'role'),
      actorOf(req, res),
    );
    flash(req, 'success', `${user.email} is now ${m.role} of ${org.name}.`);
    res.redirect(303, orgPath(req, res, org.id));
  });

  router.get('/orgs/:orgId/members/:userId/remove', async (req, res) => {
    const org = await findOrg(latchkey, req.params.orgId);
    const user = await findUser(latchkey, req.params.userId);
    if (!(await latchkey.fetchMembership(org.id, user.id)))
      throw LatchkeyError.notFound('Membership');
    const theirKeys = await countKeys(latchkey, {
      orgId: org.id,
      userId: user.id,
      kind: 'org',
      archived: false,
    });
    const revoke = latchkey.getSettings().revokeOrgKeysWhenCreatorLeaves;
    await renderPage(req, res, 'admin/confirm', {
      title: `Remove ${user.email} from ${org.name}?`,
      lines: [
        revoke
          ? `“Revoke org keys when their creator leaves” is on: the ${plural(theirKeys, 'org key')} they created will be archived and stop working.`
          : `“Revoke org keys when their creator leaves” is off: the ${plural(theirKeys, 'org key')} they created will keep working.`,
      ],
      action: `/orgs/${org.id}/members/${user.id}/remove`,
      button: 'Remove member',
      back: `/orgs/${org.id}`,
    });
  });

  router.post('/orgs/:orgId/members/:userId/remove', async (req, res) => {
    consumeFormId(req);
    const org = await findOrg(latchkey, req.params.orgId);
    const user = await findUser(latchkey, req.params.userId);
    const { archivedKeyIds } = await latchkey.removeUserFromOrg(org.id, user.id, actorOf(req, res));
    flash(
      req,
      'success',
      `Removed ${user.email} from ${org.name}${archivedKeyIds.length ? ` and archived ${plural(archivedKeyIds.length, 'key')} they created` : ''}.`,
    );
    res.redirect(303, orgPath(req, res, org.id));
  });
}
