import type { Endpoint } from './endpoint';
import { createKey } from './keys/create';
import { deleteKey } from './keys/delete';
import { fetchKey } from './keys/fetch';
import { importKey } from './keys/import';
import { listArchivedKeys, listCurrentKeys } from './keys/list';
import { rollKey } from './keys/roll';
import { updateKey } from './keys/update';
import { keyUsage } from './keys/usage';
import { validateImportedKey, validateKey } from './keys/validate';
import { createOrg } from './orgs/create';
import { deleteOrg, fetchOrg } from './orgs/fetch';
import { addUserToOrg, changeUserRoleInOrg, removeUserFromOrg } from './orgs/members';
import { createUser } from './users/create';
import { fetchUserByEmail, fetchUserById } from './users/fetch';
import { fetchUsersInOrg } from './users/in-org';
import { deleteUser, disableUser, enableUser } from './users/status';

export const BACKEND_API_PREFIX = '/api/backend/v1';

/**
 * Every route of the backend API. Order matters where paths overlap: fixed
 * segments (`archived`, `usage`, `email`) come before `{id}` ones. Validation
 * comes first: it is by far the most frequent call, and overlaps no other path.
 */
export const ENDPOINTS: readonly Endpoint[] = [
  validateKey,
  validateImportedKey,
  listCurrentKeys,
  listArchivedKeys,
  keyUsage,
  createKey,
  importKey,
  fetchKey,
  updateKey,
  deleteKey,
  rollKey,

  createUser,
  fetchUserByEmail,
  fetchUsersInOrg,
  fetchUserById,
  disableUser,
  enableUser,
  deleteUser,

  createOrg,
  addUserToOrg,
  removeUserFromOrg,
  changeUserRoleInOrg,
  fetchOrg,
  deleteOrg,
];
