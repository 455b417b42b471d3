import path from 'node:path';
import type { RequestHandler } from 'express';

/**
 * A host app's own chrome for the hosted pages (embedded mode), as absolute paths of EJS
 * files. Each is rendered with the page's locals (`title`, `productName`, `brand`, `nav`,
 * `signedInAs`, `assetsPath`, `cspNonce`, ...).
 */
export interface HostChrome {
  /** Replaces the pages' header (partials/header.ejs). */
  header?: string;
  /** Replaces the pages' footer (partials/footer.ejs). */
  footer?: string;
  /**
   * Replaces the whole layout (views/layout.ejs): the page itself is in `body` (HTML, output
   * it unescaped), and the stylesheets in `stylesheets` under `assetsPath`.
   */
  layout?: string;
}

function absolute(file: string | undefined, what: string): string | undefined {
  if (file === undefined) return undefined;
  if (!path.isAbsolute(file)) throw new TypeError(`chrome.${what} must be an absolute path`);
  return file;
}

/** Sets the layout's locals so it includes the host's files instead of its own. */
export function hostChrome(chrome: HostChrome = {}): RequestHandler {
  const header = absolute(chrome.header, 'header');
  const footer = absolute(chrome.footer, 'footer');
  const layout = absolute(chrome.layout, 'layout');
  return (_req, res, next) => {
    if (header) res.locals.headerPartial = header;
    if (footer) res.locals.footerPartial = footer;
    if (layout) res.locals.layout = layout;
    next();
  };
}
