import type { Request, Response, Router } from 'express';
import type { Settings } from '../../core/types';
import type { Latchkey } from '../../latchkey';
import { basePathOf, flash, keepForm, renderPage } from '../pages/render';
import { consumeFormId } from '../pages/security';
import { actorOf } from './admin-session';
import {
  PERIOD_UNITS,
  SETTING_LABELS,
  rateLimitFormValue,
  readSettingsForm,
  throwProblems,
} from './settings-fields';
import { settingFields, settingFormValues } from './scope-limit-fields';

/** Every admin setting on one form; saving goes through updateSettings, which validates and audits. */
export function registerSettingsRoutes(
  router: Router,
  latchkey: Latchkey,
  options: { pagesBasePath: string },
): void {
  const pagesBase = options.pagesBasePath.replace(/\/$/, '');
  const fields = settingFields(latchkey.scopes);
  const locals = (draft: Record<string, unknown> | null) => ({
    title: 'Settings',
    fields,
    fieldLabels: SETTING_LABELS,
    current: { ...settingFormValues(latchkey.scopes, latchkey.getSettings()), ...(draft ?? {}) },
    previewHref: (path: string) => `${pagesBase}${path}`,
    periodUnits: PERIOD_UNITS,
    rateLimitFormValue,
    emailConfigured: latchkey.emailConfigured,
  });

  router.get('/settings', async (req, res) => {
    await renderPage(req, res, 'admin/settings', locals(null));
  });

  router.post('/settings', async (req: Request, res: Response) => {
    consumeFormId(req);
    const { patch, problems } = readSettingsForm(req.body, fields);
    // On refusal the form comes back with what was typed, not what is saved.
    keepForm(res, 'admin/settings', locals(patch));
    throwProblems(problems);
    await latchkey.updateSettings(patch as Partial<Settings>, actorOf(req, res));
    flash(req, 'success', 'Settings saved. They apply now, to every key and page.');
    res.redirect(303, `${basePathOf(req, res)}/settings`);
  });
}
