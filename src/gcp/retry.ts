import { GcpError, isTransient } from './errors.js';

// Retries with jittered exponential backoff under an overall deadline. The
// caller says what is retryable; the default is transient failures only
// (never a 400 or a 404, which would only fail again).

export interface RetryPolicy {
  /** First delay in ms; doubles each attempt; each delay is half fixed, half random (jitter). */
  baseMs: number;
  maxDelayMs: number;
  /** Give up after this long, reporting the last error. */
  deadlineMs: number;
  retryable?: (err: GcpError) => boolean;
  /** Called before each retry (for progress and counting). */
  onRetry?: (err: GcpError, attempt: number, delayMs: number) => void;
}

export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const started = Date.now();
  const retryable = policy.retryable ?? isTransient;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof GcpError) || !retryable(err)) throw err;
      const cap = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** (attempt - 1));
      const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
      if (Date.now() + delay - started > policy.deadlineMs) throw finalCause(err, attempt, started);
      policy.onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}

/** The last error, saying how long it was tried: "503 ... (gave up after 9 attempts in 121 s)". */
function finalCause(err: GcpError, attempts: number, started: number): GcpError {
  const seconds = Math.round((Date.now() - started) / 1000);
  const how = `${attempts} attempt${attempts > 1 ? 's' : ''} in ${seconds} s`;
  const Kind = err.constructor as typeof GcpError;
  return new Kind(err.site, err.httpStatus, err.status, err.reason, `${err.detail} (gave up after ${how})`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
