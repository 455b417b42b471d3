import type { Logger } from '../../logger';
import type { Store, WebhookDelivery, WebhookEndpoint } from '../store';
import type { NetworkPolicy } from './address-check';
import { RETRY_DELAYS_SECONDS, retryDelaySeconds } from './retry-schedule';
import { sendWebhook, type SendOutcome } from './send';
import { signedHeaders } from './signing';

export interface WebhookWorkerOptions extends NetworkPolicy {
  /** Per attempt, for the whole request and answer. Default 10 s. */
  timeoutMs?: number;
  /** How often to look for due deliveries. Default 1 s. */
  pollIntervalMs?: number;
  /** Waits after each failed attempt (jittered); default RETRY_DELAYS_SECONDS. */
  retryDelaysSeconds?: readonly number[];
  /** An endpoint failing this long without one success is disabled. Default 3 days. */
  disableAfterSeconds?: number;
  /** Deliveries taken per round. Default 20. */
  batchSize?: number;
  /** Unix seconds now (tests move time). */
  now?: () => number;
}

const DAY = 86_400;

/** The JSON body every receiver gets: the Standard Webhooks payload shape. */
export const webhookBody = (d: Pick<WebhookDelivery, 'eventType' | 'eventAt' | 'data'>): string =>
  JSON.stringify({
    type: d.eventType,
    timestamp: new Date(d.eventAt * 1000).toISOString(),
    data: d.data,
  });

/**
 * Moves events from the outbox to endpoints: fans new events out into deliveries, claims
 * the deliveries that are due (a lease no other process's worker takes meanwhile), signs
 * and sends each, and records the outcome: delivered, due again after a jittered backoff,
 * or failed once the schedule is spent. Delivery is at least once; `webhook-id` is the
 * event id on every attempt so receivers can drop repeats.
 */
export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly timeoutMs: number;
  private readonly leaseSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly options: WebhookWorkerOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    // Longer than one attempt can take, so a claim does not lapse while its request runs.
    this.leaseSeconds = Math.ceil(this.timeoutMs / 1000) + 30;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Polls until stop(). The timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((err: unknown) => {
          this.logger.error({ err }, 'webhook delivery round failed');
          return 0;
        })
        .finally(() => {
          this.running = null;
        });
    }, this.options.pollIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round: fan out new events, then attempt every due delivery. Returns how many it attempted. */
  async runOnce(): Promise<number> {
    const batch = this.options.batchSize ?? 20;
    while ((await this.store.fanOutEvents(this.now(), batch)) === batch);
    const due = await this.store.claimDueDeliveries(this.now(), this.leaseSeconds, batch);
    await Promise.all(due.map((d) => this.attempt(d)));
    return due.length;
  }

  private async attempt(delivery: WebhookDelivery): Promise<void> {
    const endpoint = await this.store.findEndpointById(delivery.endpointId);
    const at = this.now();
    const attempts = delivery.attempts + 1;
    if (!endpoint || !endpoint.enabled) {
      await this.store.recordAttempt(delivery.id, {
        status: 'failed',
        attempts: delivery.attempts,
        nextAttemptAt: at,
        statusCode: null,
        latencyMs: null,
        error: endpoint ? 'endpoint disabled' : 'endpoint deleted',
        at,
      });
      return;
    }
    const body = webhookBody(delivery);
    const headers = signedHeaders(endpoint.secret, delivery.eventId, at, body);
    const outcome = await sendWebhook(endpoint.url, headers, body, {
      timeoutMs: this.timeoutMs,
      policy: this.options,
    });
    const delays = this.options.retryDelaysSeconds ?? RETRY_DELAYS_SECONDS;
    const delay = outcome.ok ? null : retryDelaySeconds(attempts, delays);
    await this.store.recordAttempt(delivery.id, {
      status: outcome.ok ? 'delivered' : delay === null ? 'failed' : 'pending',
      attempts,
      nextAttemptAt: at + (delay ?? 0),
      statusCode: outcome.statusCode,
      latencyMs: outcome.latencyMs,
      error: outcome.error,
      at,
    });
    await this.trackHealth(endpoint, outcome, at);
  }

  /** Clears an endpoint's failure run on success; disables it once the run is too long. */
  private async trackHealth(endpoint: WebhookEndpoint, outcome: SendOutcome, at: number) {
    if (outcome.ok) {
      if (endpoint.failingSince !== null)
        await this.store.updateEndpoint(endpoint.id, { failingSince: null });
      return;
    }
    this.logger.warn(
      { endpointId: endpoint.id, statusCode: outcome.statusCode, error: outcome.error },
      'webhook delivery failed',
    );
    const since = endpoint.failingSince ?? at;
    const limit = this.options.disableAfterSeconds ?? 3 * DAY;
    if (at - since >= limit) {
      const days = Math.max(1, Math.round((at - since) / DAY));
      const disabledReason =
        `Disabled ${new Date(at * 1000).toISOString()}: every delivery failed for ` +
        `${days} ${days === 1 ? 'day' : 'days'}; last error: ${outcome.error ?? 'unknown'}.`;
      await this.store.updateEndpoint(endpoint.id, { enabled: false, disabledReason });
      this.logger.warn({ endpointId: endpoint.id }, 'webhook endpoint disabled');
    } else if (endpoint.failingSince === null) {
      await this.store.updateEndpoint(endpoint.id, { failingSince: at });
    }
  }
}
