import type { Request, Response, Router } from 'express';
import { LatchkeyError } from '../../core/errors';
import { isUuid } from '../../core/inputs';
import { countKeys, keyPage, userOrNull } from '../lookups';
import { nowSeconds } from '../../core/time';
import type { User } from '../../core/types';
import type { Latchkey } from '../../latchkey';
import { basePathOf, flash, keepForm, renderPage } from '../pages/render';
import { consumeFormId } from '../pages/security';
import { actorOf, pageParam, queryText } from './admin-session';

const PAGE_SIZE = 25;
const LABELS = { email: 'Email', password: 'Password' };

export async function findUser(latchkey: Latchkey, id: unknown): Promise<User> {
  const user = isUuid(id) ? await userOrNull(latchkey, id.toLowerCase()) : null;
  if (!user) throw LatchkeyError.notFound('User');
  return user;
}

/** Users: search, create, disable/enable, lock/unlock, delete, and one user's orgs and keys. */
export function registerUserRoutes(router: Router, latchkey: Latchkey): void {
  const userPath = (req: Request, res: Response, id: string) =>
    `${basePathOf(req, res)}/users/${id}`;

  const listLocals = async (req: Request) => {
    const q = queryText(req, 'q');
    const paging = pageParam(req, PAGE_SIZE);
    const users = await latchkey.listUsers(
      { emailContains: q },
      { pageSize: paging.limit, pageNumber: paging.page - 1 },
    );
    return { title: 'Users', q: q ?? '', users, paging, pageSize: PAGE_SIZE, fieldLabels: LABELS };
  };

  router.get('/users', async (req, res) => {
    await renderPage(req, res, 'admin/users', await listLocals(req));
  });

  router.post('/users', async (req, res) => {
    keepForm(res, 'admin/users', await listLocals(req));
    consumeFormId(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const password = typeof body.password === 'string' && body.password ? body.password : undefined;
    const user = await latchkey.createUser(
      {
        email: typeof body.email === 'string' ? body.email : '',
        password,
        updatePasswordRequired: body.passwordRequired === 'on',
      },
      actorOf(req, res),
    );
    flash(req, 'success', `Created the user ${user.email}.`);
    res.redirect(303, userPath(req, res, user.id));
  });

  router.get('/users/:userId', async (req, res) => {
    const user = await findUser(latchkey, req.params.userId);
    const [memberships, keys] = await Promise.all([
      latchkey.fetchOrgsOfUser(user.id),
      keyPage(latchkey, { userId: user.id }, { limit: 100, offset: 0 }),
    ]);
    await renderPage(req, res, 'admin/user', {
      title: user.email,
      user,
      memberships,
      keys,
      now: nowSeconds(),
    });
  });

  const toggles = [
    ['disable', 'disabled', latchkey.disableUser],
    ['enable', 'enabled', latchkey.enableUser],
    ['lock', 'locked', latchkey.lockUser],
    ['unlock', 'unlocked', latchkey.unlockUser],
  ] as const;
  for (const [action, done, apply] of toggles) {
    router.post(`/users/:userId/${action}`, async (req, res) => {
      consumeFormId(req);
      const user = await findUser(latchkey, req.params.userId);
      await apply(user.id, actorOf(req, res));
      flash(req, 'success', `${user.email} is ${done}. Their keys follow at once.`);
      res.redirect(303, userPath(req, res, user.id));
    });
  }

  router.get('/users/:userId/delete', async (req, res) => {
    const user = await findUser(latchkey, req.params.userId);
    const personal = await countKeys(latchkey, {
      userId: user.id,
      kind: 'personal',
      archived: false,
    });
    const revokeOrg = latchkey.getSettings().revokeOrgKeysWhenCreatorLeaves;
    const org = revokeOrg
      ? await countKeys(latchkey, { userId: user.id, kind: 'org', archived: false })
      : 0;
    await renderPage(req, res, 'admin/confirm', {
      title: `Delete the user ${user.email}?`,
      lines: [
        `${plural(personal, 'personal key')} will be archived and stop working at once.`,
        revokeOrg
          ? `${plural(org, 'org key')} they created will be archived too (“revoke org keys when their creator leaves” is on).`
          : 'Org keys they created keep working (“revoke org keys when their creator leaves” is off).',
        'Their memberships are removed. This cannot be undone.',
      ],
      action: `/users/${user.id}/delete`,
      button: 'Delete user',
      back: `/users/${user.id}`,
    });
  });

  router.post('/users/:userId/delete', async (req, res) => {
    consumeFormId(req);
    const user = await findUser(latchkey, req.params.userId);
    const { archivedKeyIds } = await latchkey.deleteUser(user.id, actorOf(req, res));
    flash(
      req,
      'success',
      `Deleted ${user.email} and archived ${plural(archivedKeyIds.length, 'key')}.`,
    );
    res.redirect(303, `${basePathOf(req, res)}/users`);
  });
}

export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
