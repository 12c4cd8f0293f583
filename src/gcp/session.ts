import { loadClient, type ApiClients, type ApiName } from './clients.js';
import { isServiceDisabled, isTransient, toGcpError, type CallSite } from './errors.js';
import { withRetry, type RetryPolicy } from './retry.js';

// A session is the one way the tool reaches Google: it resolves the endpoint
// (Google Cloud, the embedded emulator, or an emulator URL), holds the
// credentials, constructs clients lazily, and runs every call through the
// same retry policy and error mapping. Nothing else constructs a client.

/** How long after an enable a SERVICE_DISABLED answer is taken as propagation (Google: "a few minutes"). */
const ENABLE_PROPAGATION_MS = 10 * 60_000;

export type Target =
  | { kind: 'cloud'; impersonateServiceAccount?: string }
  | { kind: 'local'; stateDir: string }
  | { kind: 'emulator'; url: string };

/** How often long-running operations are polled. */
export interface PollTiming {
  minMs: number;
  maxMs: number;
  /** Give up on one operation after this long. */
  deadlineMs: number;
}

export interface SessionStats {
  calls: number;
  retries: number;
}

export interface SessionEvents {
  onRetry?: (site: CallSite, detail: string, delayMs: number) => void;
}

export class Session {
  readonly stats: SessionStats = { calls: 0, retries: 0 };
  private readonly clients = new Map<ApiName, Promise<unknown>>();
  private readonly enabledAt = new Map<string, number>();

  constructor(
    readonly target: Target,
    private readonly auth: unknown,
    /** Emulator origin (`http://127.0.0.1:PORT/`), undefined for Google Cloud. */
    readonly rootUrl: string | undefined,
    readonly poll: PollTiming,
    readonly retry: RetryPolicy,
    private readonly events: SessionEvents = {},
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  client<K extends ApiName>(name: K): Promise<ApiClients[K]> {
    let c = this.clients.get(name);
    if (!c) {
      c = loadClient(name, { auth: this.auth, rootUrl: this.rootUrl });
      this.clients.set(name, c);
    }
    return c as Promise<ApiClients[K]>;
  }

  /**
   * Per-call options. Media uploads need the emulator origin on every call:
   * googleapis builds the upload URL from the per-call rootUrl only.
   */
  get callOptions(): { rootUrl?: string } {
    return this.rootUrl ? { rootUrl: this.rootUrl } : {};
  }

  /**
   * A service this run enabled: for a while its API may still answer
   * SERVICE_DISABLED, and calls to it wait that out instead of failing.
   */
  noteEnabled(service: string): void {
    this.enabledAt.set(service, Date.now());
  }

  private justEnabled(site: CallSite): boolean {
    const at = this.enabledAt.get(`${site.method.split('.')[0]}.googleapis.com`);
    return at !== undefined && Date.now() - at < ENABLE_PROPAGATION_MS;
  }

  /** Runs one API call with retries on transient failures; returns `data`. */
  async call<T>(site: CallSite, fn: () => Promise<{ data: T }>, policy?: Partial<RetryPolicy>): Promise<T> {
    const retryable = policy?.retryable ?? this.retry.retryable ?? isTransient;
    const merged: RetryPolicy = {
      ...this.retry,
      ...policy,
      retryable: (err) => retryable(err) || (isServiceDisabled(err) && this.justEnabled(site)),
      onRetry: (err, attempt, delay) => {
        this.stats.retries += 1;
        this.events.onRetry?.(site, err.message, delay);
        policy?.onRetry?.(err, attempt, delay);
      },
    };
    return withRetry(async () => {
      this.stats.calls += 1;
      try {
        return (await fn()).data;
      } catch (err) {
        throw toGcpError(err, site);
      }
    }, merged);
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
