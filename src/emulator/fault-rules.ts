// The fault rules' shape, and the check of a `PUT /_emulator/faults` body.
//
//   {"seed": 7, "rules": [
//     {"api": "compute", "method": "POST", "nth": 1, "fault": 503},
//     {"probability": 0.2, "fault": [429, 500, 503, "reset", "slow", "operation-error"], "after": 0.5}
//   ]}
//
// The first rule that fires for a request decides its fault.

/**
 * An HTTP error status (Google's envelope with the matching gRPC status),
 * `reset` (the connection is dropped without a reply), `slow` (the reply
 * comes `delayMs` late) or `operation-error` (the request is accepted and
 * the operation it starts ends in error, changing nothing).
 */
export type FaultKind = number | 'reset' | 'slow' | 'operation-error';

export interface FaultRule {
  /** Service name as in the request log: compute, storage, networkservices, ... */
  api?: string;
  /** HTTP method(s). */
  method?: string | string[];
  /** Regular expression tested against the request path. */
  path?: string;
  /** Fires on these matching calls (1-based, counted per rule)... */
  nth?: number | number[];
  /** ...or on each matching call with this probability (default 1). */
  probability?: number;
  /** Stops after this many injections. */
  times?: number;
  /** One kind, or several to pick from (seeded). */
  fault: FaultKind | FaultKind[];
  /**
   * Errors and resets only: let the API make the change first, then lose its
   * reply. A number is the share of injections that do so.
   */
  after?: boolean | number;
  /** `slow`: how late, in ms (default 500). */
  delayMs?: number;
  message?: string;
  /** Legacy `errors[].reason` (default: rateLimitExceeded for 429, backendError for 5xx). */
  reason?: string;
}

export interface FaultConfig {
  seed?: number;
  rules: FaultRule[];
}

const KEYS = new Set([
  'api',
  'method',
  'path',
  'nth',
  'probability',
  'times',
  'fault',
  'after',
  'delayMs',
  'message',
  'reason',
]);

/** The config as given, or an error naming the first thing wrong with it. */
export function checkRules(input: unknown, bad: (message: string) => Error): FaultConfig {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw bad('faults: the body must be {"seed", "rules": [...]}');
  const { seed = 0, rules, ...rest } = input as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) throw bad(`faults: unknown setting "${extra[0]}"; known: seed, rules`);
  if (typeof seed !== 'number' || !Number.isInteger(seed))
    throw bad('faults: "seed" must be an integer');
  if (!Array.isArray(rules)) throw bad('faults: "rules" must be a list');
  rules.forEach((r, i) => checkRule(r, `faults: rules[${i}]`, bad));
  return { seed, rules: rules as FaultRule[] };
}

function checkRule(r: unknown, at: string, bad: (message: string) => Error): void {
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw bad(`${at} must be an object`);
  const rule = r as Record<string, unknown>;
  for (const k of Object.keys(rule))
    if (!KEYS.has(k)) throw bad(`${at}: unknown field "${k}"; known: ${[...KEYS].join(', ')}`);
  for (const k of ['api', 'path', 'message', 'reason']) {
    if (rule[k] !== undefined && typeof rule[k] !== 'string')
      throw bad(`${at}.${k} must be a string`);
  }
  if (rule.path !== undefined) {
    try {
      new RegExp(rule.path as string);
    } catch {
      throw bad(`${at}.path is not a regular expression`);
    }
  }
  const methods = [rule.method ?? []].flat();
  if (methods.some((m) => typeof m !== 'string'))
    throw bad(`${at}.method must be a string or a list of strings`);
  const nth = [rule.nth ?? []].flat();
  if (nth.some((n) => !Number.isInteger(n) || (n as number) < 1))
    throw bad(`${at}.nth must be positive integers`);
  const p = rule.probability;
  if (p !== undefined && (typeof p !== 'number' || p < 0 || p > 1))
    throw bad(`${at}.probability must be between 0 and 1`);
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && (rule.times as number) >= 0))
    throw bad(`${at}.times must be a count`);
  const a = rule.after;
  if (a !== undefined && typeof a !== 'boolean' && !(typeof a === 'number' && a >= 0 && a <= 1)) {
    throw bad(`${at}.after must be true, false or a share between 0 and 1`);
  }
  if (rule.delayMs !== undefined && !(typeof rule.delayMs === 'number' && rule.delayMs >= 0))
    throw bad(`${at}.delayMs must be ms`);
  const kinds = [rule.fault ?? []].flat();
  if (kinds.length === 0)
    throw bad(`${at}.fault is required: an HTTP status, "reset", "slow" or "operation-error"`);
  for (const k of kinds) {
    const ok =
      (typeof k === 'number' && Number.isInteger(k) && k >= 400 && k <= 599) ||
      k === 'reset' ||
      k === 'slow' ||
      k === 'operation-error';
    if (!ok)
      throw bad(
        `${at}.fault: ${JSON.stringify(k)} is not an HTTP status 400-599, "reset", "slow" or "operation-error"`,
      );
  }
}
