import type { Membership, Org, User } from '../types';
import type { CascadeEvents, OutboxEvent } from './event-records';
import type { Page, Paged } from './paging';

export type UserPatch = Partial<Omit<User, 'id' | 'createdAt'>>;
export type OrgPatch = Partial<Pick<Org, 'name' | 'urlSafeName' | 'metadata'>>;

/**
 * Users, orgs and memberships. Each cascade (a `...And...` method) is atomic: it
 * archives the keys the change takes with it in the same step, and writes the
 * `events` built from the keys it archived (when given) in that step too.
 */
export interface DirectoryRecords {
  // Users
  /** False when the email (case-insensitive) is taken. */
  insertUser(user: User): Promise<boolean>;
  findUserById(id: string): Promise<User | null>;
  findUserByEmail(email: string): Promise<User | null>;
  listUsers(filter: { emailContains?: string }, page: Page): Promise<Paged<User>>;
  /** Null when the user does not exist; false-y email collisions give 'email_taken'. */
  updateUser(
    id: string,
    patch: UserPatch,
    events?: OutboxEvent[],
  ): Promise<User | null | 'email_taken'>;
  /**
   * Deletes the user and their memberships, archives their personal keys and,
   * when `archiveCreatedOrgKeys`, the org keys they created. Null when unknown.
   */
  deleteUserAndArchiveKeys(
    id: string,
    now: number,
    archiveCreatedOrgKeys: boolean,
    events?: CascadeEvents,
  ): Promise<{ archivedKeyIds: string[] } | null>;

  // Orgs
  /** False when the url-safe name is taken. */
  insertOrg(org: Org): Promise<boolean>;
  findOrgById(id: string): Promise<Org | null>;
  findOrgsByIds(ids: string[]): Promise<Org[]>;
  listOrgs(filter: { nameContains?: string }, page: Page): Promise<Paged<Org>>;
  updateOrg(id: string, patch: OrgPatch): Promise<Org | null | 'name_taken'>;
  /** Deletes the org and its memberships and archives all its keys. Null when unknown. */
  deleteOrgAndArchiveKeys(
    id: string,
    now: number,
    events?: CascadeEvents,
  ): Promise<{ archivedKeyIds: string[] } | null>;

  // Memberships
  /** Adds the user to the org, or changes their role if already a member. */
  upsertMembership(membership: Membership): Promise<void>;
  findMembership(userId: string, orgId: string): Promise<Membership | null>;
  listMembershipsOfUser(userId: string): Promise<Membership[]>;
  listMembershipsOfOrg(orgId: string, page: Page): Promise<Paged<Membership>>;
  /**
   * Removes the membership and, when `archiveTheirOrgKeys`, archives the keys
   * of that org the member created. Null when they were not a member.
   */
  removeMemberAndArchiveTheirOrgKeys(
    orgId: string,
    userId: string,
    now: number,
    archiveTheirOrgKeys: boolean,
    events?: CascadeEvents,
  ): Promise<{ archivedKeyIds: string[] } | null>;
}
