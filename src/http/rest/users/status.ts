import { defineEndpoint } from '../endpoint';
import { empty } from '../wire-schemas';

export const disableUser = defineEndpoint({
  method: 'post',
  path: '/user/{user_id}/disable',
  operationId: 'disableUser',
  summary: 'Disable a user: their personal keys stop validating until they are enabled again',
  tag: 'Users',
  response: empty,
  errors: [404],
  run: async (lk, { params, by }) => {
    await lk.disableUser(params.user_id ?? '', by);
    return {};
  },
});

export const enableUser = defineEndpoint({
  method: 'post',
  path: '/user/{user_id}/enable',
  operationId: 'enableUser',
  summary: 'Enable a disabled user',
  tag: 'Users',
  response: empty,
  errors: [404],
  run: async (lk, { params, by }) => {
    await lk.enableUser(params.user_id ?? '', by);
    return {};
  },
});

export const deleteUser = defineEndpoint({
  method: 'delete',
  path: '/user/{user_id}',
  operationId: 'deleteUser',
  summary:
    'Delete a user and their memberships; their personal keys are archived (and the org keys they created, when the admin rule says so)',
  tag: 'Users',
  response: empty,
  errors: [404],
  run: async (lk, { params, by }) => {
    await lk.deleteUser(params.user_id ?? '', by);
    return {};
  },
});
