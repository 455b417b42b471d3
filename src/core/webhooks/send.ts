import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import {
  checkedLookup,
  parseEndpointUrl,
  refusedAddress,
  type NetworkPolicy,
} from './address-check';

export interface SendOutcome {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  /** What went wrong, for the delivery log; null on success. */
  error: string | null;
}

/** Reads at most this much of a response: only its status matters. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one signed message. A 2xx answer is success; anything else, a timeout or a
 * refused address is a failure. Redirects are not followed (a 3xx is a failure), so a
 * public endpoint cannot redirect the server into a private network.
 */
export function sendWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; policy: NetworkPolicy },
): Promise<SendOutcome> {
  const started = Date.now();
  const done = (ok: boolean, statusCode: number | null, error: string | null): SendOutcome => ({
    ok,
    statusCode,
    latencyMs: Date.now() - started,
    error,
  });
  let target: URL;
  try {
    target = parseEndpointUrl(url);
  } catch (err) {
    return Promise.resolve(done(false, null, `refused: ${(err as Error).message}`));
  }
  // Node connects to an IP literal without a lookup, so check it here.
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!options.policy.allowPrivateNetworks && ipaddr.isValid(host)) {
    const why = refusedAddress(host);
    if (why) return Promise.resolve(done(false, null, `refused: ${why}`));
  }
  const request = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve) => {
    const req = request(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Latchkey-Webhooks/1',
        },
        lookup: checkedLookup(options.policy),
        timeout: options.timeoutMs,
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const finish = () => {
          const code = res.statusCode ?? null;
          const ok = code !== null && code >= 200 && code < 300;
          const why =
            code !== null && code >= 300 && code < 400
              ? `HTTP ${code}: redirects are not followed`
              : `HTTP ${code}`;
          resolve(done(ok, code, ok ? null : why));
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    // `timeout` alone is per socket read; this bounds the whole exchange.
    const timeUp = () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    const timer = setTimeout(timeUp, options.timeoutMs);
    req.on('timeout', timeUp);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err) => resolve(done(false, null, err.message)));
    req.end(body);
  });
}
