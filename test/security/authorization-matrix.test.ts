import request from 'supertest';
import type { Org, User } from '../../src/core/types';
import { BACKEND_API_PREFIX as API } from '../../src/http/rest/routes';
import { formTokens } from '../support/pages';
import { label, routesOf } from './routes';
import {
  adminAgent,
  aPopulatedWorld,
  makeSecurityApp,
  snapshot,
  userAgent,
  type Agent,
  type SecurityApp,
  type World,
} from './support';

/**
 * Who may do what to whose keys, users and orgs. One row per action and whose
 * resource; one column per role. End users (and anonymous visitors) act through the
 * hosted pages where a page exists for the action, otherwise through the dashboard
 * route (with a CSRF token of their own); the admin through the dashboard; the
 * integration key through the backend API.
 *
 * Whose: "own" is the role's own resource (their personal key, their org, themselves).
 * The stranger's own org is org C (they own it); the org A roles' is org A. Roles
 * that own nothing (anonymous, admin, integration key) get org A's side as "own"
 * and org C's as "others'".
 *
 * Cells: 'ok' = done (and its effect is checked); 'sign-in' = a browser is sent to
 * sign in; 401/403/404 = refused with that status, and nothing stored changed;
 * 'n/a' = the role has no way to ask (the reason is in NOT_APPLICABLE).
 */
const ROLES = [
  'anonymous',
  'other user',
  'member',
  'org admin',
  'owner',
  'admin',
  'integration key',
] as const;
type Role = (typeof ROLES)[number];
type Cell = 'ok' | 'sign-in' | 401 | 403 | 404 | 'n/a';
type Whose = 'own' | "others'";

// prettier-ignore
//                                           anon       other  member  org adm  owner  admin  integ
const MATRIX: [string, Whose, Cell[]][] = [
  ['view a personal key',         'own',     ['sign-in', 'ok', 'ok',  'ok',  'ok',  'ok',  'ok']],
  ['view a personal key',         "others'", ['sign-in', 404,  404,   404,   404,   'ok',  'ok']],
  ['create a personal key',       'own',     [401,       'ok', 'ok',  'ok',  'ok',  'n/a', 'ok']],
  ['revoke a personal key',       'own',     [401,       'ok', 'ok',  'ok',  'ok',  'ok',  'ok']],
  ['revoke a personal key',       "others'", [401,       404,  404,   404,   404,   'ok',  'ok']],
  ['rename a key',                'own',     [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['rename a key',                "others'", [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['list org keys',               'own',     ['sign-in', 'ok', 'ok',  'ok',  'ok',  'ok',  'ok']],
  ['list org keys',               "others'", ['sign-in', 404,  404,   404,   404,   'ok',  'ok']],
  ['create an org key',           'own',     [401,       'ok', 403,   'ok',  'ok',  'n/a', 'ok']],
  ['create an org key',           "others'", [401,       404,  404,   404,   404,   'n/a', 'ok']],
  ['revoke an org key',           'own',     [401,       'ok', 403,   'ok',  'ok',  'ok',  'ok']],
  ['revoke an org key',           "others'", [401,       404,  404,   404,   404,   'ok',  'ok']],
  ['revoke an org key named in own org\'s URL', "others'", [401, 404, 403, 404, 404, 'ok', 'ok']],
  ['revoke an org key on the personal page', 'own', [401,    404,  404,   404,   404,   'ok',  'ok']],
  ['disable a user',              'own',     [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['disable a user',              "others'", [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['delete a user',               'own',     [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['delete a user',               "others'", [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['create an org',               'own',     [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['add a member to an org',      'own',     [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['add a member to an org',      "others'", [401,       401,  401,   401,   401,   'ok',  'ok']],
  ["change a member's role",      'own',     [401,       401,  401,   401,   401,   'ok',  'ok']],
  ["change a member's role",      "others'", [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['remove a member from an org', 'own',     [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['remove a member from an org', "others'", [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['delete an org',               'own',     [401,       401,  401,   401,   401,   'ok',  'ok']],
  ['delete an org',               "others'", [401,       401,  401,   401,   401,   'ok',  'ok']],
];

const NOT_APPLICABLE =
  'the dashboard makes no keys: keys are made on the hosted pages or by the API';

/** The resources one role's "own" or "others'" means. */
interface Targets {
  personalKey: string;
  org: Org;
  orgKey: string;
  user: User;
  /** A member of `org` to change or remove. */
  member: User;
  /** A user not in `org`, to add. */
  outsider: User;
  /** The org the role belongs to (org A for roles that belong to none). */
  ownOrg: Org;
}

function targetsFor(w: World, role: Role, whose: Whose): Targets {
  const sideA = {
    org: w.orgA,
    orgKey: w.keys.orgA.apiKeyId,
    member: w.member,
    outsider: w.stranger,
  };
  const sideC = {
    org: w.orgC,
    orgKey: w.keys.orgC.apiKeyId,
    member: w.stranger,
    outsider: w.member,
  };
  const self: Record<Role, { user: User; key: string } | null> = {
    anonymous: null,
    'other user': { user: w.stranger, key: w.keys.stranger.apiKeyId },
    member: { user: w.member, key: w.keys.member.apiKeyId },
    'org admin': { user: w.orgAdmin, key: w.keys.orgAdmin.apiKeyId },
    owner: { user: w.owner, key: w.keys.owner.apiKeyId },
    admin: null,
    'integration key': null,
  };
  const me = self[role];
  const ownOrg = role === 'other user' ? w.orgC : w.orgA;
  if (role === 'other user') {
    return whose === 'own'
      ? { ...sideC, ownOrg, user: w.stranger, personalKey: w.keys.stranger.apiKeyId }
      : { ...sideA, ownOrg, user: w.member, personalKey: w.keys.member.apiKeyId };
  }
  if (me) {
    return whose === 'own'
      ? { ...sideA, ownOrg, user: me.user, personalKey: me.key }
      : { ...sideC, ownOrg, user: w.stranger, personalKey: w.keys.stranger.apiKeyId };
  }
  return whose === 'own'
    ? { ...sideA, ownOrg, user: w.member, personalKey: w.keys.member.apiKeyId }
    : { ...sideC, ownOrg, user: w.stranger, personalKey: w.keys.stranger.apiKeyId };
}

interface Attempt {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  body?: Record<string, unknown>;
}
type Channel = 'pages' | 'dashboard' | 'api';
type Effect = (lk: SecurityApp['latchkey'], t: Targets) => Promise<boolean>;

const keyArchived =
  (id: string): Effect =>
  async (lk) =>
    (await lk.store.findKeyById(id))?.archivedAt !== null;

/** How each channel asks for each action, and how to see that it happened. */
const ACTIONS: Record<
  string,
  { ask: Partial<Record<Channel, (t: Targets, expiry: string) => Attempt>>; effect?: Effect }
> = {
  'view a personal key': {
    ask: {
      pages: (t) => ({ method: 'get', path: `/keys/${t.personalKey}/revoke` }),
      dashboard: (t) => ({ method: 'get', path: `/admin/keys/${t.personalKey}` }),
      api: (t) => ({ method: 'get', path: `${API}/end_user_api_keys/${t.personalKey}` }),
    },
  },
  'create a personal key': {
    ask: {
      pages: (_t, expiry) => ({
        method: 'post',
        path: '/keys',
        body: { displayName: 'made', expiry },
      }),
      api: (t) => ({
        method: 'post',
        path: `${API}/end_user_api_keys`,
        body: { user_id: t.user.id, display_name: 'made' },
      }),
    },
    effect: async (lk, t) =>
      (await lk.listApiKeys({ userId: t.user.id })).keys.some((k) => k.displayName === 'made'),
  },
  'revoke a personal key': {
    ask: {
      pages: (t) => ({ method: 'post', path: `/keys/${t.personalKey}/revoke` }),
      dashboard: (t) => ({ method: 'post', path: `/admin/keys/${t.personalKey}/revoke` }),
      api: (t) => ({ method: 'delete', path: `${API}/end_user_api_keys/${t.personalKey}` }),
    },
    effect: (lk, t) => keyArchived(t.personalKey)(lk, t),
  },
  'rename a key': {
    ask: {
      dashboard: (t) => ({
        method: 'post',
        path: `/admin/keys/${t.personalKey}`,
        body: { displayName: 'renamed', expiresAt: '', metadata: '{}' },
      }),
      api: (t) => ({
        method: 'patch',
        path: `${API}/end_user_api_keys/${t.personalKey}`,
        body: { display_name: 'renamed' },
      }),
    },
    effect: async (lk, t) => (await lk.store.findKeyById(t.personalKey))?.displayName === 'renamed',
  },
  'list org keys': {
    ask: {
      pages: (t) => ({ method: 'get', path: `/orgs/${t.org.id}/keys` }),
      dashboard: (t) => ({ method: 'get', path: `/admin/orgs/${t.org.id}` }),
      api: (t) => ({ method: 'get', path: `${API}/end_user_api_keys?org_id=${t.org.id}` }),
    },
  },
  'create an org key': {
    ask: {
      pages: (t, expiry) => ({
        method: 'post',
        path: `/orgs/${t.org.id}/keys`,
        body: { displayName: 'made', expiry },
      }),
      api: (t) => ({
        method: 'post',
        path: `${API}/end_user_api_keys`,
        body: { org_id: t.org.id, display_name: 'made' },
      }),
    },
    effect: async (lk, t) =>
      (await lk.listApiKeys({ orgId: t.org.id })).keys.some((k) => k.displayName === 'made'),
  },
  'revoke an org key': {
    ask: {
      pages: (t) => ({ method: 'post', path: `/orgs/${t.org.id}/keys/${t.orgKey}/revoke` }),
      dashboard: (t) => ({ method: 'post', path: `/admin/keys/${t.orgKey}/revoke` }),
      api: (t) => ({ method: 'delete', path: `${API}/end_user_api_keys/${t.orgKey}` }),
    },
    effect: (lk, t) => keyArchived(t.orgKey)(lk, t),
  },
  // The URL names the actor's own org (which passes the membership check) and
  // another org's key: only the key's own org may reach it.
  "revoke an org key named in own org's URL": {
    ask: {
      pages: (t) => ({ method: 'post', path: `/orgs/${t.ownOrg.id}/keys/${t.orgKey}/revoke` }),
      dashboard: (t) => ({ method: 'post', path: `/admin/keys/${t.orgKey}/revoke` }),
      api: (t) => ({ method: 'delete', path: `${API}/end_user_api_keys/${t.orgKey}` }),
    },
    effect: (lk, t) => keyArchived(t.orgKey)(lk, t),
  },
  // An org key through the personal page, even one the actor made themselves.
  'revoke an org key on the personal page': {
    ask: {
      pages: (t) => ({ method: 'post', path: `/keys/${t.orgKey}/revoke` }),
      dashboard: (t) => ({ method: 'post', path: `/admin/keys/${t.orgKey}/revoke` }),
      api: (t) => ({ method: 'delete', path: `${API}/end_user_api_keys/${t.orgKey}` }),
    },
    effect: (lk, t) => keyArchived(t.orgKey)(lk, t),
  },
  'disable a user': {
    ask: {
      dashboard: (t) => ({ method: 'post', path: `/admin/users/${t.user.id}/disable` }),
      api: (t) => ({ method: 'post', path: `${API}/user/${t.user.id}/disable` }),
    },
    effect: async (lk, t) => (await lk.store.findUserById(t.user.id))?.enabled === false,
  },
  'delete a user': {
    ask: {
      dashboard: (t) => ({ method: 'post', path: `/admin/users/${t.user.id}/delete` }),
      api: (t) => ({ method: 'delete', path: `${API}/user/${t.user.id}` }),
    },
    effect: async (lk, t) => (await lk.store.findUserById(t.user.id)) === null,
  },
  'create an org': {
    ask: {
      dashboard: () => ({ method: 'post', path: '/admin/orgs', body: { name: 'Made Org' } }),
      api: () => ({ method: 'post', path: `${API}/org/`, body: { name: 'Made Org' } }),
    },
    effect: async (lk) =>
      (await lk.listOrgs({ nameContains: 'Made Org' })).items.some((o) => o.name === 'Made Org'),
  },
  'add a member to an org': {
    ask: {
      dashboard: (t) => ({
        method: 'post',
        path: `/admin/orgs/${t.org.id}/members`,
        body: { email: t.outsider.email, role: 'Member' },
      }),
      api: (t) => ({
        method: 'post',
        path: `${API}/org/add_user`,
        body: { org_id: t.org.id, user_id: t.outsider.id, role: 'Member' },
      }),
    },
    effect: async (lk, t) => (await lk.store.findMembership(t.outsider.id, t.org.id)) !== null,
  },
  "change a member's role": {
    ask: {
      dashboard: (t) => ({
        method: 'post',
        path: `/admin/orgs/${t.org.id}/members/${t.member.id}/role`,
        body: { role: 'Admin' },
      }),
      api: (t) => ({
        method: 'post',
        path: `${API}/org/change_role`,
        body: { org_id: t.org.id, user_id: t.member.id, role: 'Admin' },
      }),
    },
    effect: async (lk, t) =>
      (await lk.store.findMembership(t.member.id, t.org.id))?.role === 'Admin',
  },
  'remove a member from an org': {
    ask: {
      dashboard: (t) => ({
        method: 'post',
        path: `/admin/orgs/${t.org.id}/members/${t.member.id}/remove`,
      }),
      api: (t) => ({
        method: 'post',
        path: `${API}/org/remove_user`,
        body: { org_id: t.org.id, user_id: t.member.id },
      }),
    },
    effect: async (lk, t) => (await lk.store.findMembership(t.member.id, t.org.id)) === null,
  },
  'delete an org': {
    ask: {
      dashboard: (t) => ({ method: 'post', path: `/admin/orgs/${t.org.id}/delete` }),
      api: (t) => ({ method: 'delete', path: `${API}/org/${t.org.id}` }),
    },
    effect: async (lk, t) => (await lk.store.findOrgById(t.org.id)) === null,
  },
};

/** A world with the role signed in, ready to ask. */
async function stage(role: Role) {
  const app = await makeSecurityApp();
  const world = await aPopulatedWorld(app);
  const emails: Partial<Record<Role, string>> = {
    'other user': world.stranger.email,
    member: world.member.email,
    'org admin': world.orgAdmin.email,
    owner: world.owner.email,
  };
  let agent: Agent;
  if (role === 'admin') agent = await adminAgent(app.app, world.admin.email);
  else if (emails[role]) agent = await userAgent(app.app, emails[role]);
  else agent = request.agent(app.app);
  return { ...app, world, agent, before: snapshot(app.latchkey) };
}

/** The CSRF token and a fresh form id of the agent's session in the area `path` belongs to. */
async function formFields(agent: Agent, role: Role, path: string) {
  const admin = path.startsWith('/admin');
  const page =
    role === 'admin'
      ? '/admin/settings'
      : admin
        ? '/admin/login'
        : role === 'anonymous'
          ? '/login'
          : '/keys/new';
  return formTokens((await agent.get(page).expect(200)).text);
}

async function ask(s: Awaited<ReturnType<typeof stage>>, role: Role, attempt: Attempt) {
  if (role === 'integration key') {
    const client = request(s.app);
    const req = client[attempt.method](attempt.path).set(
      'Authorization',
      `Bearer ${s.world.integration.token}`,
    );
    return attempt.method === 'get' || attempt.method === 'delete'
      ? req
      : req.send(attempt.body ?? {});
  }
  if (attempt.method === 'get') return s.agent.get(attempt.path).set('Accept', 'text/html');
  // Fields first: the agent attaches cookies when a request is built.
  const fields = await formFields(s.agent, role, attempt.path);
  return s.agent[attempt.method](attempt.path)
    .set('Accept', 'text/html')
    .type('form')
    .send({ ...fields, ...attempt.body });
}

function outcomeOf(method: string, res: request.Response): Cell {
  if (method === 'get' && res.status === 303 && /\/login\?/.test(String(res.headers.location)))
    return 'sign-in';
  if (res.status >= 200 && res.status < 300) return 'ok';
  if (method !== 'get' && res.status === 303) return 'ok';
  return res.status as Cell;
}

const channelOf = (role: Role, action: string): Channel | null => {
  if (role === 'integration key') return 'api';
  if (role === 'admin') return 'dashboard';
  const ask = ACTIONS[action]!.ask;
  return ask.pages ? 'pages' : ask.dashboard ? 'dashboard' : null;
};

describe('authorization matrix: every role against own and others’ keys, users and orgs', () => {
  it('has a cell for every role in every row, and a way to ask for every action', () => {
    for (const [action, , cells] of MATRIX) {
      expect(cells).toHaveLength(ROLES.length);
      expect(ACTIONS[action]).toBeDefined();
    }
  });

  for (const [action, whose, cells] of MATRIX) {
    ROLES.forEach((role, i) => {
      const cell = cells[i]!;
      const title = `${role} → ${action} (${whose}): ${String(cell)}`;
      if (cell === 'n/a') {
        it(`${title}: ${NOT_APPLICABLE}`, async () => {
          const s = await makeSecurityApp();
          const makesKeys = routesOf(s.app).filter(
            (r) => r.path.startsWith('/admin/') && r.method === 'post' && /\/keys$/.test(r.path),
          );
          expect(makesKeys.map(label)).toEqual([]);
          await s.latchkey.close();
        });
        return;
      }
      it(title, async () => {
        const s = await stage(role);
        try {
          const targets = targetsFor(s.world, role, whose);
          const channel = channelOf(role, action)!;
          const expiry = s.latchkey.getSettings().defaultExpiry;
          const attempt = ACTIONS[action]!.ask[channel]!(targets, expiry);
          const res = await ask(s, role, attempt);
          expect({
            outcome: outcomeOf(attempt.method, res),
            body: res.status >= 500 ? res.text : '',
          }).toEqual({ outcome: cell, body: '' });
          const effect = ACTIONS[action]!.effect;
          if (cell === 'ok' && effect) expect(await effect(s.latchkey, targets)).toBe(true);
          if (cell !== 'ok') expect(snapshot(s.latchkey)).toBe(s.before);
        } finally {
          await s.latchkey.close();
        }
      });
    });
  }
});

describe('owners named in a form', () => {
  it('the hosted create form takes the owner from the session: a smuggled userId or orgId is ignored', async () => {
    const s = await stage('member');
    try {
      const { stranger, orgC, member } = s.world;
      const countOf = async (q: { userId?: string; orgId?: string }) =>
        (await s.latchkey.listApiKeys(q)).keys.length;
      const before = {
        stranger: await countOf({ userId: stranger.id }),
        orgC: await countOf({ orgId: orgC.id }),
      };
      const fields = await formFields(s.agent, 'member', '/keys');
      const res = await s.agent
        .post('/keys')
        .type('form')
        .send({
          ...fields,
          displayName: 'smuggled',
          expiry: s.latchkey.getSettings().defaultExpiry,
          userId: stranger.id,
          orgId: orgC.id,
        });
      expect(res.status).toBe(303);
      const made = (await s.latchkey.listApiKeys({ userId: member.id })).keys.find(
        (k) => k.displayName === 'smuggled',
      );
      expect(made).toMatchObject({ userId: member.id, orgId: null });
      expect({
        stranger: await countOf({ userId: stranger.id }),
        orgC: await countOf({ orgId: orgC.id }),
      }).toEqual(before);
    } finally {
      await s.latchkey.close();
    }
  });
});
