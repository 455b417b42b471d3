import type { Router } from 'express';
import { isKeyId, isUuid } from '../../core/inputs';
import { dayOf, nowSeconds } from '../../core/time';
import type { Latchkey } from '../../latchkey';
import type { UsageScope } from '../../core/key-usage';
import { userOrNull } from '../lookups';
import { renderPage } from '../pages/render';
import { queryText } from './admin-session';
import { barChart, lastDays } from './usage-chart';

const DAYS = 30;

/** Validations per day for the last 30 days, overall or for one key, user or org. */
export function registerUsageRoutes(router: Router, latchkey: Latchkey): void {
  router.get('/usage', async (req, res) => {
    const shown = {
      key: queryText(req, 'key') ?? '',
      user: queryText(req, 'user', 320) ?? '',
      org: queryText(req, 'org') ?? '',
    };
    const filter: UsageScope = {};
    const problems: string[] = [];
    if (shown.key) {
      if (isKeyId(shown.key)) filter.apiKeyId = shown.key;
      else problems.push('Key id must be 32 hex characters.');
    }
    if (shown.user) {
      const user = isUuid(shown.user)
        ? await userOrNull(latchkey, shown.user.toLowerCase())
        : await latchkey.fetchUserByEmail(shown.user);
      if (user) filter.userId = user.id;
      else problems.push('No user has that email or id.');
    }
    if (shown.org) {
      if (isUuid(shown.org)) filter.orgId = shown.org.toLowerCase();
      else problems.push('Org id must be a UUID.');
    }
    const today = dayOf(nowSeconds());
    const from = lastDays(today, DAYS, [])[0]!.day;
    // Counts still buffered in memory are written first, so the page is up to date.
    const counts = problems.length
      ? []
      : await latchkey.fetchApiKeyUsageByDay({ ...filter, from, to: today });
    const days = lastDays(today, DAYS, counts);
    const scope = filter.apiKeyId
      ? `key ${filter.apiKeyId}`
      : filter.userId
        ? `user ${shown.user}`
        : filter.orgId
          ? `organization ${filter.orgId}`
          : 'all keys';
    await renderPage(req, res, 'admin/usage', {
      title: 'Usage',
      shown,
      problems,
      days,
      total: days.reduce((n, d) => n + d.count, 0),
      chart: barChart(days),
      scope,
    });
  });
}
