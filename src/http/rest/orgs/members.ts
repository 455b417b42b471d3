import { z } from 'zod';
import { role } from '../../../core/inputs';
import { defineEndpoint } from '../endpoint';
import { uuid } from '../fields';
import { empty } from '../wire-schemas';

/** Latchkey has one role per member; PropelAuth's clients always send an (empty) list. */
const additionalRoles = z
  .array(z.string())
  .max(0, 'is not supported: a member has exactly one role')
  .optional();

const membership = { user_id: uuid, org_id: uuid };
const withRole = z.object({ ...membership, role, additional_roles: additionalRoles }).strict();

export const addUserToOrg = defineEndpoint({
  method: 'post',
  path: '/org/add_user',
  operationId: 'addUserToOrg',
  summary: 'Add a user to an organization with a role (Owner, Admin or Member)',
  tag: 'Organizations',
  body: withRole,
  response: empty,
  errors: [400, 404],
  run: async (lk, { body: b, by }) => {
    await lk.addUserToOrg(b.org_id, b.user_id, b.role, by);
    return {};
  },
});

export const changeUserRoleInOrg = defineEndpoint({
  method: 'post',
  path: '/org/change_role',
  operationId: 'changeUserRoleInOrg',
  summary: "Change a member's role",
  tag: 'Organizations',
  body: withRole,
  response: empty,
  errors: [400, 404],
  run: async (lk, { body: b, by }) => {
    await lk.changeUserRoleInOrg(b.org_id, b.user_id, b.role, by);
    return {};
  },
});

export const removeUserFromOrg = defineEndpoint({
  method: 'post',
  path: '/org/remove_user',
  operationId: 'removeUserFromOrg',
  summary:
    'Remove a member from an organization (archiving the org keys they created when the admin rule says so)',
  tag: 'Organizations',
  body: z.object(membership).strict(),
  response: empty,
  errors: [400, 404],
  run: async (lk, { body: b, by }) => {
    await lk.removeUserFromOrg(b.org_id, b.user_id, by);
    return {};
  },
});
