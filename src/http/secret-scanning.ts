import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Latchkey } from '../latchkey';

/**
 * The secret-scanning endpoint in the format of GitHub's secret scanning partner program:
 * a POST of `[{ token, type, url, source }]`, signed by the sender with ECDSA P-256
 * SHA-256 over the raw body (base64 DER in `Github-Public-Key-Signature`, the key named by
 * `Github-Public-Key-Identifier`). Each token of ours is handled as a leaked key (see
 * Latchkey.reportLeakedToken); the answer labels each one true or false positive.
 */

export const SECRET_SCANNING_PATH = '/api/secret-scanning/v1/verify';

/** The sender's public keys, as GitHub publishes them. */
export interface PublishedKeys {
  public_keys: { key_identifier: string; key: string; is_current?: boolean }[];
}

export type PublicKeySource = () => Promise<PublishedKeys>;

/** Reports per request; GitHub sends a handful at a time. */
const MAX_REPORTS = 1_000;
/** A fetched key list is kept this long; an unknown identifier refetches at most this often. */
const KEYS_TTL_MS = 3_600_000;
const REFETCH_MIN_MS = 60_000;

/** Keys read from a JSON file, or fetched from a URL, kept for an hour. */
export function publicKeySource(from: { file?: string; url?: string }): PublicKeySource {
  if (from.file) {
    const file = from.file;
    return async () => JSON.parse(await fs.readFile(file, 'utf8')) as PublishedKeys;
  }
  const url = from.url!;
  return async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`fetching ${url} answered ${res.status}`);
    return (await res.json()) as PublishedKeys;
  };
}

/** Keys by identifier, refetched when old or when a request names one not seen yet. */
class KeyRing {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;

  constructor(private readonly source: PublicKeySource) {}

  async find(identifier: string): Promise<KeyObject | undefined> {
    const age = Date.now() - this.fetchedAt;
    if (age > KEYS_TTL_MS || (!this.keys.has(identifier) && age > REFETCH_MIN_MS))
      await this.refresh();
    return this.keys.get(identifier);
  }

  private async refresh(): Promise<void> {
    this.fetchedAt = Date.now();
    const published = await this.source();
    const keys = new Map<string, KeyObject>();
    for (const k of published.public_keys ?? [])
      if (typeof k.key_identifier === 'string' && typeof k.key === 'string')
        keys.set(k.key_identifier, createPublicKey(k.key));
    this.keys = keys;
  }
}

interface Report {
  token: string;
  type: string;
  url: string | null;
  source: string | null;
}

function reportsOf(body: unknown): Report[] | null {
  if (!Array.isArray(body) || body.length > MAX_REPORTS) return null;
  const reports: Report[] = [];
  for (const item of body as unknown[]) {
    const r = item as Record<string, unknown> | null;
    if (!r || typeof r !== 'object' || typeof r.token !== 'string') return null;
    const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 2_000) : null);
    reports.push({
      token: r.token,
      type: text(r.type) ?? '',
      url: text(r.url),
      source: text(r.source),
    });
  }
  return reports;
}

const refuse = (res: Response) =>
  res.status(401).json({ error: 'unauthenticated', message: 'Bad or missing signature.' });

export function createSecretScanningEndpoint(
  latchkey: Latchkey,
  options: { keys: PublicKeySource; bodyLimit?: string },
): RequestHandler[] {
  const ring = new KeyRing(options.keys);
  const handler: RequestHandler = async (req: Request, res: Response) => {
    const identifier = req.get('Github-Public-Key-Identifier');
    const signature = req.get('Github-Public-Key-Signature');
    const raw: unknown = req.body;
    if (!identifier || !signature || !Buffer.isBuffer(raw)) return refuse(res);
    let key: KeyObject | undefined;
    try {
      key = await ring.find(identifier);
    } catch (err) {
      latchkey.logger.error({ err }, 'reading the secret-scanning public keys failed');
      return res
        .status(503)
        .json({ error: 'unavailable', message: 'Cannot check signatures now.' });
    }
    let valid: boolean;
    try {
      valid = !!key && verify('sha256', raw, key, Buffer.from(signature, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) return refuse(res);
    let reports: Report[] | null;
    try {
      reports = reportsOf(JSON.parse(raw.toString('utf8')));
    } catch {
      reports = null;
    }
    if (!reports)
      return res
        .status(400)
        .json({ error: 'invalid_input', message: 'Expected [{ token, type, url, source }].' });
    const answers = [];
    for (const r of reports) {
      const outcome = await latchkey.reportLeakedToken(
        r.token,
        { url: r.url, source: r.source },
        { actor: 'system' },
      );
      answers.push({
        token_raw: r.token,
        token_type: r.type,
        label: outcome ? 'true_positive' : 'false_positive',
      });
    }
    res.json(answers);
  };
  return [express.raw({ type: () => true, limit: options.bodyLimit ?? '100kb' }), handler];
}
