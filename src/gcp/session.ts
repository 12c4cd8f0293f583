import { loadClient, type ApiClients, type ApiName } from './clients.js';
import { toGcpError, type CallSite } from './errors.js';
import { withRetry, type RetryPolicy } from './retry.js';

// A session is the one way the tool reaches Google: it resolves the endpoint
// (Google Cloud, the embedded emulator, or an emulator URL), holds the
// credentials, constructs clients lazily, and runs every call through the
// same retry policy and error mapping. Nothing else constructs a client.

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

  /** Runs one API call with retries on transient failures; returns `data`. */
  async call<T>(site: CallSite, fn: () => Promise<{ data: T }>, policy?: Partial<RetryPolicy>): Promise<T> {
    const merged: RetryPolicy = {
      ...this.retry,
      ...policy,
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
