import { nowSeconds } from '../../core/time';

const DAY = 24 * 3600;

function sampleKey(id: string, displayName: string, hint: string, ageDays: number) {
  const now = nowSeconds();
  return {
    id,
    displayName,
    hint,
    userId: 'sample',
    createdAt: now - ageDays * DAY,
    expiresAt: now + 90 * DAY,
    lastUsedAt: now - 3600,
    archivedAt: ageDays > 100 ? now - 30 * DAY : null,
    remaining: null,
  };
}

/** The keys page's locals with made-up keys, for the branding preview; nothing is read or changed. */
export function previewKeys() {
  return {
    title: 'My API keys',
    scope: {
      kind: 'personal',
      heading: 'My API keys',
      path: '/keys',
      canManage: false,
      readOnlyReason: 'Your customers create and revoke their keys here.',
    },
    current: {
      items: [
        sampleKey('sample-1', 'Production server', 'lk_…a81f', 40),
        sampleKey('sample-2', 'CI pipeline', 'lk_…07c2', 12),
      ],
      total: 2,
    },
    archived: { items: [sampleKey('sample-3', 'Old laptop', 'lk_…e913', 200)], total: 1 },
    currentPaging: { page: 1, pageSize: 100, linkFor: () => '#' },
    archivedPaging: { page: 1, pageSize: 100, linkFor: () => '#' },
    newKey: null,
    now: nowSeconds(),
    expiryWarningDays: 0,
    creators: {},
    orgs: [],
  };
}
