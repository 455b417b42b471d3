import { z } from 'zod';
import { LatchkeyError } from '../../../core/errors';
import { orgInfo } from '../../../core/identity';
import type { User } from '../../../core/types';
import type { Latchkey } from '../../../latchkey';
import { defineEndpoint } from '../endpoint';
import { booleanFlag } from '../fields';
import { userWire } from '../wire';
import { userMetadata } from '../wire-schemas';

async function userAnswer(lk: Latchkey, user: User, includeOrgs: boolean) {
  if (!includeOrgs) return userWire(user);
  const settings = lk.getSettings();
  const orgs = (await lk.fetchOrgsOfUser(user.id)).map(({ membership, org }) => ({
    org,
    info: orgInfo(org, membership, settings),
  }));
  return userWire(user, orgs);
}

export const fetchUserById = defineEndpoint({
  method: 'get',
  path: '/user/{user_id}',
  operationId: 'fetchUserMetadataByUserId',
  summary: 'Fetch a user by id (with their orgs when include_orgs=true)',
  tag: 'Users',
  query: z.object({ include_orgs: booleanFlag.optional() }).strict(),
  response: userMetadata,
  errors: [400, 404],
  run: async (lk, { params, query }) =>
    userAnswer(lk, await lk.fetchUser(params.user_id ?? ''), query.include_orgs === 'true'),
});

export const fetchUserByEmail = defineEndpoint({
  method: 'get',
  path: '/user/email',
  operationId: 'fetchUserMetadataByEmail',
  summary: 'Fetch a user by email, case-insensitively (with their orgs when include_orgs=true)',
  tag: 'Users',
  query: z
    .object({
      email: z.string().min(1, 'is required').max(320, 'is too long'),
      include_orgs: booleanFlag.optional(),
    })
    .strict(),
  response: userMetadata,
  errors: [400, 404],
  run: async (lk, { query }) => {
    const user = await lk.fetchUserByEmail(query.email);
    if (!user) throw LatchkeyError.notFound('User');
    return userAnswer(lk, user, query.include_orgs === 'true');
  },
});
