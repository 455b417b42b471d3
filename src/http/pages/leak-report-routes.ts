import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../../core/context';
import { LatchkeyError } from '../../core/errors';
import type { ApiKeyView } from '../../core/keys';
import { parseInput } from '../../core/inputs';
import type { Latchkey } from '../../latchkey';
import { requireManager, type KeyScope } from './key-scopes';
import { flash, keepForm, renderPage } from './render';
import { consumeFormId } from './security';

/** Where the key was seen: optional, at most a long URL or a sentence. */
const reportForm = z.object({
  where: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : ''),
    z.string().max(2_000, 'must be at most 2000 characters'),
  ),
});

export interface LeakReportPaths {
  resolve(req: Request, res: Response): KeyScope;
  ownedKey(scope: KeyScope, keyId: unknown): Promise<ApiKeyView>;
  listPath(req: Request, res: Response, scope: KeyScope): string;
  actorOf(req: Request, res: Response): Actor;
}

/**
 * "Report a leaked key" on a key page: the key is handled as the leakedKeyAction setting
 * says (revoked, or only flagged), audited with where it was seen, and its owners emailed.
 */
export function registerLeakReportRoutes(
  router: Router,
  latchkey: Latchkey,
  prefix: string,
  paths: LeakReportPaths,
): void {
  const current = async (req: Request, res: Response) => {
    const scope = paths.resolve(req, res);
    requireManager(scope);
    res.locals.backHref = paths.listPath(req, res, scope);
    const key = await paths.ownedKey(scope, req.params.keyId);
    if (key.archivedAt !== null)
      throw new LatchkeyError('conflict', `“${key.displayName}” is already revoked.`);
    const locals = {
      title: `Report ${key.displayName} as leaked`,
      scope,
      key,
      revokes: latchkey.getSettings().leakedKeyAction === 'revoke',
      fieldLabels: { where: 'Where was it seen?' },
    };
    return { scope, key, locals };
  };

  router.get(`${prefix}/:keyId/report-leak`, async (req, res) => {
    const { locals } = await current(req, res);
    await renderPage(req, res, 'key-report-leak', locals);
  });

  router.post(`${prefix}/:keyId/report-leak`, async (req, res) => {
    const { scope, key, locals } = await current(req, res);
    consumeFormId(req);
    keepForm(res, 'key-report-leak', locals);
    const { where } = parseInput(reportForm, req.body);
    const outcome = await latchkey.reportLeakedKey(
      key.id,
      { url: where || null, source: 'reported on the key page' },
      paths.actorOf(req, res),
    );
    flash(
      req,
      outcome.revoked ? 'success' : 'info',
      outcome.revoked
        ? `Revoked “${key.displayName}” as leaked. Create a new key and switch to it.`
        : `Reported “${key.displayName}” as leaked. It still works: replace it, then revoke it.`,
    );
    res.redirect(303, paths.listPath(req, res, scope));
  });
}
