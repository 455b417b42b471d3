import { defineEndpoint } from '../endpoint';
import { organizationWire } from '../wire';
import { empty, organization } from '../wire-schemas';

export const fetchOrg = defineEndpoint({
  method: 'get',
  path: '/org/{org_id}',
  operationId: 'fetchOrg',
  summary: 'Fetch an organization by id',
  tag: 'Organizations',
  response: organization,
  errors: [404],
  run: async (lk, { params }) => organizationWire(await lk.fetchOrg(params.org_id ?? '')),
});

export const deleteOrg = defineEndpoint({
  method: 'delete',
  path: '/org/{org_id}',
  operationId: 'deleteOrg',
  summary: 'Delete an organization and its memberships; every key of the org is archived',
  tag: 'Organizations',
  response: empty,
  errors: [404],
  run: async (lk, { params, by }) => {
    await lk.deleteOrg(params.org_id ?? '', by);
    return {};
  },
});
