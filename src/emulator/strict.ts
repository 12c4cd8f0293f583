import { createHash, randomBytes } from 'node:crypto';
import { ApiError } from './errors.js';
import { checkBodyKnown, checkQueryKnown, methodsFor } from './api-schema.js';

// Strict mode: the emulator refuses to be more lenient than Google, and more
// predictable than Google promises to be. A field or query parameter the real
// API does not have is the 400 Google sends; one the real API has but the
// emulator did not look at is a 501 (answering as if it were absent would be
// a silent lie); lists come in small pages, in an order that changes from
// one listing to the next, so clients must follow page tokens and must not
// rely on order.

export interface StrictSettings {
  enabled: boolean;
  /** Largest page a list returns, whatever the client asked for. */
  maxPageSize: number;
  /** Shuffle list results (each listing its own order, stable across its pages). */
  shuffle: boolean;
}

/**
 * On under the Node test runner (which sets NODE_TEST_CONTEXT in every test
 * process and what they spawn) or with DPGCE_EMULATOR_STRICT=1; off with
 * DPGCE_EMULATOR_STRICT=0.
 */
export function defaultStrict(): StrictSettings {
  const env = process.env.DPGCE_EMULATOR_STRICT;
  const enabled = env !== undefined ? env === '1' : !!process.env.NODE_TEST_CONTEXT;
  return { enabled, maxPageSize: 3, shuffle: true };
}

/** How a list pages: set on each request, read by the APIs' list helpers. */
export interface ListingPolicy {
  maxPageSize?: number;
  shuffle: boolean;
}

/** Query parameters that change nothing in a JSON response. */
const HARMLESS = new Set(['$.xgafv', 'access_token', 'callback', 'key', 'oauth_token', 'prettyPrint',
  'quotaUser', 'upload_protocol', 'userIp', 'userProject']);

/** URLSearchParams that remembers which parameters a handler looked at. */
export class TrackedQuery extends URLSearchParams {
  readonly read = new Set<string>();

  override get(name: string): string | null {
    this.read.add(name);
    return super.get(name);
  }

  override getAll(name: string): string[] {
    this.read.add(name);
    return super.getAll(name);
  }

  override has(name: string, value?: string): boolean {
    this.read.add(name);
    return value === undefined ? super.has(name) : super.has(name, value);
  }

  /**
   * Present, not looked at, not among `implemented` (read only on some paths),
   * and able to change the answer: a proto3 default (`false`, `0`, empty) is
   * the same as absent.
   */
  ignored(implemented: string[] = []): string[] {
    return [...new Set(super.keys())].filter((k) => {
      if (this.read.has(k) || HARMLESS.has(k) || implemented.includes(k)) return false;
      const v = super.getAll(k);
      if (v.every((x) => /^(false|0|)$/i.test(x))) return false;
      return !(k === 'alt' && super.get(k) === 'json');
    });
  }
}

/** Checks before the handler runs: 400 for what the real API does not know. */
export function checkRequest(api: string, method: string, path: string, query: URLSearchParams,
  json: unknown): void {
  const methods = methodsFor(api, method, path);
  if (!methods.length) {
    throw new ApiError(501, `The emulator serves ${method} ${path}, but no Google API method has ` +
      'this path (an emulator bug: strict mode refuses it).', 'UNIMPLEMENTED');
  }
  checkQueryKnown(methods, query);
  if (!path.startsWith('/upload/')) checkBodyKnown(methods, json);
}

/** Checks after the handler ran: 501 for parameters it never read. */
export function ignoredError(method: string, path: string, names: string[]): ApiError {
  return new ApiError(501, `The emulator does not implement the query parameter(s) ${names.join(', ')} ` +
    `of ${method} ${path}; strict mode refuses to answer as if they were absent.`, 'UNIMPLEMENTED');
}

/**
 * One page of a list. Without a policy: by name (or in the given order when
 * `ordered`), the token an offset. Shuffled: the first page draws a seed that
 * the token carries (`<seed>-<offset>`), so one listing is consistent across
 * its pages and the next listing comes in another order.
 */
export function pageOf<T>(items: T[], opts: {
  policy?: ListingPolicy; token: string | null; asked: number; nameOf: (t: T) => string;
  ordered?: boolean;
}): { slice: T[]; next?: string } {
  const { policy, token, nameOf } = opts;
  const shuffle = !!policy?.shuffle && !opts.ordered;
  const m = /^(?:([0-9a-f]{8})-)?(\d+)$/.exec(token ?? '0');
  if (!m || (shuffle && token && !m[1])) {
    throw new ApiError(400, `The page token '${token}' is not valid for this list.`, 'INVALID_ARGUMENT');
  }
  const seed = shuffle ? (m[1] ?? randomBytes(4).toString('hex')) : undefined;
  const start = Number(m[2]);
  const key = (t: T): string =>
    seed ? createHash('sha256').update(`${seed}/${nameOf(t)}`).digest('hex') : nameOf(t);
  const list = opts.ordered ? items : [...items].sort((a, b) => key(a).localeCompare(key(b)));
  const size = Math.max(1, policy?.maxPageSize ? Math.min(opts.asked, policy.maxPageSize) : opts.asked);
  const slice = list.slice(start, start + size);
  if (start + size >= list.length) return { slice };
  return { slice, next: seed ? `${seed}-${start + size}` : String(start + size) };
}
