import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { ApiError } from './errors.js';
import type { OperationError } from './operations.js';
import { Reply } from './router.js';
import { checkRules, type FaultConfig, type FaultKind, type FaultRule } from './fault-rules.js';

// Deterministic fault injection. The server asks the hook about every API
// request before routing it (`intercept`), runs the API inside `around` (so
// an operation the request starts can be made to end in error), and hands
// the reply to `after` (so a reply can be lost once the change is made: the
// case that makes retries dangerous). Rules are set through EmulatorOptions
// or `PUT /_emulator/faults`.
//
// Whether a request is hit depends only on the seed, the rule, the request's
// method and path (operation names and long numbers folded) and how many
// times that method and path came before: the same request stream meets the
// same faults, whatever other requests run beside it.

export type { FaultConfig, FaultKind, FaultRule } from './fault-rules.js';

/** What a fault rule can match on. Never headers. */
export interface FaultRequest {
  api: string;
  method: string;
  path: string;
  query: URLSearchParams;
}

export interface FaultHook {
  /** A reply to send instead of the API's, or undefined to let the request through. */
  intercept(req: FaultRequest): Reply | undefined | Promise<Reply | undefined>;
  /** Runs the API for `req`; an operation it starts may be made to fail. */
  around<T>(req: FaultRequest, run: () => T): T;
  /** The reply the client gets, once the API has answered (possibly a lost one). */
  after(req: FaultRequest, reply: Reply): Reply;
  /** Takes the body of `PUT /_emulator/faults`; returns what `GET` shows. */
  configure(config: unknown): unknown;
  /** What `GET /_emulator/faults` shows: the rules and what they injected. */
  describe(): unknown;
}

/** A reply with this status is not sent: the connection is reset instead. */
export const RESET = 0;

/** What was decided for one request, carried from intercept to after. */
interface Decision {
  kind: FaultKind;
  rule: number;
  after: boolean;
  family?: 'compute' | 'lro';
  used?: boolean;
}

/** The injected operation error of the request running now, if any. */
const pendingOperation = new AsyncLocalStorage<Decision>();

/** Called by Operations when a request starts an operation. */
export function injectedOperationError(family: 'compute' | 'lro'): OperationError | undefined {
  const d = pendingOperation.getStore();
  if (!d || d.kind !== 'operation-error' || d.used) return undefined;
  d.used = true;
  d.family = family;
  return family === 'compute'
    ? {
        code: 'INTERNAL_ERROR',
        message:
          "Internal error. Please try again or contact Google Support. (Code: 'emulator-fault')",
        httpStatus: 500,
      }
    : { code: 'UNAVAILABLE', message: 'The service is currently unavailable.' };
}

export interface FaultLogEntry {
  method: string;
  path: string;
  kind: FaultKind;
  after: boolean;
  /** Index of the rule that fired. */
  rule: number;
}

export class FaultInjector implements FaultHook {
  private config: FaultConfig = { seed: 0, rules: [] };
  private readonly matches = new Map<number, number>();
  private readonly seen = new Map<string, number>();
  private readonly fires = new Map<number, number>();
  private readonly decisions = new WeakMap<FaultRequest, Decision>();
  readonly log: FaultLogEntry[] = [];

  constructor(config?: FaultConfig) {
    if (config) this.configure(config);
  }

  configure(config: unknown): unknown {
    this.config = checkRules(config, (m) => new ApiError(400, m, 'INVALID_ARGUMENT'));
    this.matches.clear();
    this.seen.clear();
    this.fires.clear();
    this.log.length = 0;
    return this.describe();
  }

  describe(): unknown {
    const byKind: Record<string, number> = {};
    for (const e of this.log) byKind[String(e.kind)] = (byKind[String(e.kind)] ?? 0) + 1;
    return {
      ...this.config,
      injected: { total: this.log.length, byKind },
      log: this.log.slice(-200),
    };
  }

  async intercept(req: FaultRequest): Promise<Reply | undefined> {
    const d = this.decide(req);
    if (!d) return undefined;
    this.decisions.set(req, d);
    if (d.kind === 'slow') {
      // Counted now: the client may give up before the delay is over.
      this.note(req, d);
      await new Promise((r) => setTimeout(r, this.config.rules[d.rule].delayMs ?? 500));
      return undefined;
    }
    if (d.kind === 'operation-error' || d.after) return undefined;
    this.note(req, d);
    return this.faultReply(d);
  }

  around<T>(req: FaultRequest, run: () => T): T {
    const d = this.decisions.get(req);
    if (d?.kind !== 'operation-error') return run();
    const out = pendingOperation.run(d, run);
    // Counted once the operation exists, which may be after an await.
    void Promise.resolve(out)
      .finally(() => d.used && this.note(req, d))
      .catch(() => {});
    return out;
  }

  after(req: FaultRequest, reply: Reply): Reply {
    const d = this.decisions.get(req);
    if (!d?.after || d.kind === 'slow' || d.kind === 'operation-error') return reply;
    this.note(req, d);
    return this.faultReply(d);
  }

  /** The first rule that fires for this request, with its kind and timing. */
  private decide(req: FaultRequest): Decision | undefined {
    const key = `${req.method} ${foldPath(req.path)}`;
    const occurrence = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, occurrence);
    for (const [i, rule] of this.config.rules.entries()) {
      if (!matches(rule, req)) continue;
      const n = (this.matches.get(i) ?? 0) + 1;
      this.matches.set(i, n);
      if (rule.times !== undefined && (this.fires.get(i) ?? 0) >= rule.times) continue;
      const draw = (salt: string): number =>
        unit(`${this.config.seed}|${i}|${key}|${occurrence}|${salt}`);
      const hit =
        rule.nth !== undefined
          ? [rule.nth].flat().includes(n)
          : draw('hit') < (rule.probability ?? 1);
      if (!hit) continue;
      const kinds = [rule.fault]
        .flat()
        .filter((k) => k !== 'operation-error' || mayStartOperation(req));
      if (kinds.length === 0) continue;
      const kind = kinds[Math.floor(draw('kind') * kinds.length)];
      const after =
        kind !== 'slow' &&
        kind !== 'operation-error' &&
        (typeof rule.after === 'number' ? draw('after') < rule.after : rule.after === true);
      return { kind, rule: i, after };
    }
    return undefined;
  }

  private note(req: FaultRequest, d: Decision): void {
    this.fires.set(d.rule, (this.fires.get(d.rule) ?? 0) + 1);
    this.log.push({
      method: req.method,
      path: req.path,
      kind: d.kind,
      after: d.after,
      rule: d.rule,
    });
  }

  private faultReply(d: Decision): Reply {
    if (d.kind === 'reset') return new Reply(RESET);
    const status = Number(d.kind);
    const rule = this.config.rules[d.rule];
    const err = new ApiError(
      status,
      rule.message ?? DEFAULT_MESSAGE[status] ?? `Injected error ${status}.`,
      undefined,
      rule.reason ?? DEFAULT_REASON[status],
    );
    return new Reply(status, err.envelope());
  }
}

/** The hook a server uses: the one given, or an injector for the given rules (none by default). */
export function faultHook(given?: FaultHook | FaultConfig): FaultHook {
  if (given && 'intercept' in given) return given;
  return new FaultInjector(given);
}

const DEFAULT_MESSAGE: Record<number, string> = {
  429: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service (emulator fault).",
  500: 'Internal error encountered.',
  502: 'Bad Gateway',
  503: 'The service is currently unavailable.',
  504: 'Deadline exceeded.',
};

/** Legacy reasons, shown by compute, storage and IAM alongside the gRPC status. */
const DEFAULT_REASON: Record<number, string> = {
  429: 'rateLimitExceeded',
  500: 'backendError',
  503: 'backendError',
};

/**
 * Whether the request can start an operation: a mutation of an API that has
 * them (Cloud Storage, Cloud DNS, IAM and Resource Manager answer at once;
 * IAM policy methods everywhere too).
 */
function mayStartOperation(req: FaultRequest): boolean {
  if (req.method === 'GET' || ['storage', 'dns', 'iam', 'cloudresourcemanager'].includes(req.api))
    return false;
  return !/:(getIamPolicy|setIamPolicy|testIamPermissions|fetchCaCerts)$/.test(req.path);
}

function matches(rule: FaultRule, req: FaultRequest): boolean {
  if (rule.api !== undefined && rule.api !== req.api) return false;
  if (rule.method !== undefined && ![rule.method].flat().includes(req.method)) return false;
  return rule.path === undefined || new RegExp(rule.path).test(req.path);
}

/** Operation names and long numbers differ between runs; fold them so the seed decides alone. */
function foldPath(path: string): string {
  return path.replace(/operation-[0-9]+-[0-9a-f]+/g, 'operation').replace(/[0-9]{6,}/g, 'N');
}

/** A number in [0, 1) from text: the seeded draw. */
function unit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}
