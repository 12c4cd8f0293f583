// SWP_POLICY_RULES against the other policy keys: every rule priority is
// unique across the whole policy (the presets and allowed-hosts take theirs
// from their position), and advice about hosts that never reach the proxy.

import { DEFAULT_PRESETS } from '../policy/presets.js';
import { plannedPriorities } from '../policy/rules.js';
import { isGoogleApisHost } from './host-rules.js';
import { normalizePolicyRules } from './policy-rules.js';
import { show } from './problem.js';
import type { Diagnostic } from './types.js';

const KEY = 'SWP_POLICY_RULES';

function list(values: ReadonlyMap<string, unknown>, key: string): string[] | undefined {
  const value = values.get(key);
  return Array.isArray(value) ? (value as string[]) : undefined;
}

function where(p: { name: string; origin: string }, index: number): string {
  return p.origin === 'rule' ? `${KEY}[${index}] (${p.name})` : `the ${p.name} rule`;
}

function checkPriorities(values: ReadonlyMap<string, unknown>): Diagnostic[] {
  const rules = normalizePolicyRules(values.get(KEY));
  const presets = list(values, 'SWP_POLICY_PRESETS') ?? [...DEFAULT_PRESETS];
  const planned = plannedPriorities(
    rules,
    [...new Set(presets)],
    (list(values, 'SWP_ALLOWED_HOSTS') ?? []).length > 0,
  );
  const found: Diagnostic[] = [];
  planned.forEach((p, i) => {
    // Reported on the env.json rule: on the later one when two rules clash.
    const first = planned.findIndex(
      (q, j) => j !== i && q.priority === p.priority && (q.origin !== 'rule' || j < i),
    );
    if (first === -1 || p.origin !== 'rule') return;
    const explicit = rules[i].priority !== undefined;
    found.push({
      severity: 'error',
      key: KEY,
      summary:
        `${KEY}[${i}].priority ${p.priority} is also the priority of ` +
        where(planned[first], first),
      detail: explicit
        ? 'Priorities are unique within the policy; choose another (rules without one ' +
          'take 100, 110, ... by position; presets 1000, 1010, ...).'
        : `Give ${planned[first].name} another priority: ${KEY}[${i}] takes ` +
          `${p.priority} from its position.`,
    });
  });
  return found;
}

function checkGoogleApis(values: ReadonlyMap<string, unknown>): Diagnostic[] {
  const rules = values.get(KEY) as Array<{ hosts?: string[]; urls?: string[] }>;
  return rules.flatMap((r, i) =>
    [
      ...(r.hosts ?? []).map((h, j) => [`${KEY}[${i}].hosts[${j}]`, h]),
      ...(r.urls ?? []).map((u, j) => [`${KEY}[${i}].urls[${j}]`, u.split('/')[0]]),
    ]
      .filter(([, host]) => isGoogleApisHost(host))
      .map(([path, host]): Diagnostic => ({
        severity: 'warning',
        key: KEY,
        summary: `${path} ${show(host)} is a Google API host, which never goes through the proxy`,
        detail:
          'Nodes reach *.googleapis.com over Private Google Access, so no proxy rule ' +
          'applies to it; remove the entry.',
      })),
  );
}

/** Cross-key diagnostics of SWP_POLICY_RULES; none when the key is absent or invalid. */
export function checkPolicyRuleValues(values: ReadonlyMap<string, unknown>): Diagnostic[] {
  if (!values.has(KEY)) return [];
  return [...checkPriorities(values), ...checkGoogleApis(values)];
}
