// SWP_POLICY_RULES: named gateway security policy rules written in env.json.
// This file checks one value on its own and reports every problem with its
// path (`SWP_POLICY_RULES[2].hosts[0]`); checks that need other keys (rule
// priorities against the presets, Google API hosts) are in
// policy-rule-checks.ts, the values inside a rule in policy-rule-values.ts.
// The rule model is documented in README.md and docs/policy.md.

import { closest, distance } from 'fastest-levenshtein';
import { PRESET_NAMES } from '../policy/presets.js';
import { hostPatternRule } from './host-rules.js';
import {
  at,
  RULE_EXAMPLE,
  serviceAccountRule,
  stringList,
  tagRule,
  urlPatternProblem,
  type Found,
  type PathProblem,
} from './policy-rule-values.js';
import { jsonType, show, type Problem } from './problem.js';
import type { PolicyRuleConfig } from './types.js';

export type { PathProblem } from './policy-rule-values.js';

export const RULE_FIELDS = [
  'name',
  'action',
  'hosts',
  'urls',
  'tlsInspection',
  'sourceServiceAccounts',
  'sourceTags',
  'priority',
  'description',
] as const;

/** Rules with a position-given priority fit between 100 and the presets at 1000. */
export const MAX_POLICY_RULES = 90;
/** Five sources and four inline hosts stay under the service's 12 logical operators. */
export const MAX_SOURCES = 5;
const MAX_PRIORITY = 2147483647;
/** Rule ID 4-63 characters; 38 leaves room for `<ENV_NAME>-` on its URL list. */
const RULE_NAME = /^[a-z][a-z0-9-]{2,36}[a-z0-9]$/;
const RESERVED_NAMES = new Set([...PRESET_NAMES, 'allowed-hosts']);

const TLS_DETAIL =
  'Secure Web Proxy matches request.url() only inside TLS it inspects: without ' +
  'inspection an HTTPS request is a tunnel to its host, and the path is never seen, so the rule ' +
  'could never match. Set "tlsInspection": true, or match hosts only.';

function checkName(raw: unknown, path: Array<string | number>): Found {
  if (raw === undefined)
    return [at(path, 'is missing', `Every rule has a name, e.g. ${RULE_EXAMPLE}.`)];
  if (typeof raw !== 'string')
    return [at(path, `must be a string, not ${jsonType(raw)}`, `e.g. ${RULE_EXAMPLE}`)];
  const detail = 'Use 4-38 lowercase letters, digits and hyphens, starting with a letter.';
  if (!RULE_NAME.test(raw)) return [at(path, `${show(raw)} is not a rule name`, detail)];
  if (RESERVED_NAMES.has(raw)) {
    return [
      at(
        path,
        `${show(raw)} is the name of a dpgce rule`,
        `Preset rules and "allowed-hosts" keep their names; pick another, e.g. "my-${raw}".`,
      ),
    ];
  }
  return [];
}

function checkScalars(rule: Record<string, unknown>, p: Array<string | number>): Found {
  const found: Found = [];
  if (rule.action !== 'allow' && rule.action !== 'deny') {
    found.push(
      at(
        [...p, 'action'],
        rule.action === undefined ? 'is missing' : `${show(rule.action)} is not "allow" or "deny"`,
        'Write "action": "allow" or "action": "deny".',
      ),
    );
  }
  if (rule.tlsInspection !== undefined && typeof rule.tlsInspection !== 'boolean') {
    found.push(
      at(
        [...p, 'tlsInspection'],
        `must be true or false, not ${jsonType(rule.tlsInspection)}`,
        'Write "tlsInspection": true (the default) or false, without quotes.',
      ),
    );
  }
  const pr = rule.priority;
  if (
    pr !== undefined &&
    !(Number.isInteger(pr) && (pr as number) >= 0 && (pr as number) <= MAX_PRIORITY)
  ) {
    found.push(
      at(
        [...p, 'priority'],
        `${show(pr)} is not a whole number from 0 to ${MAX_PRIORITY}`,
        "Lower numbers win. Leave it out to take the priority of the rule's position.",
      ),
    );
  }
  const d = rule.description;
  if (d !== undefined && (typeof d !== 'string' || d.length > 200 || /[\u0000-\u001f]/.test(d))) {
    found.push(
      at(
        [...p, 'description'],
        'must be one line of at most 200 characters',
        "It becomes the rule's description in Google Cloud; shorten it.",
      ),
    );
  }
  return found;
}

function nearField(field: string): string {
  const near = closest(field, [...RULE_FIELDS]);
  return distance(field, near) <= Math.max(2, Math.floor(field.length / 3))
    ? `; did you mean ${near}?`
    : '';
}

function checkRule(raw: unknown, i: number): Found {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [at([i], `must be an object, not ${jsonType(raw)}`, `e.g. ${RULE_EXAMPLE}`)];
  }
  const rule = raw as Record<string, unknown>;
  const found: Found = Object.keys(rule)
    .filter((k) => !(RULE_FIELDS as readonly string[]).includes(k))
    .map((k) =>
      at([i, k], `is not a rule field${nearField(k)}`, `Rule fields: ${RULE_FIELDS.join(', ')}.`),
    );
  found.push(...checkName(rule.name, [i, 'name']), ...checkScalars(rule, [i]));
  const lists: Array<[keyof PolicyRuleConfig, (v: string) => Problem | undefined, string]> = [
    ['hosts', hostPatternRule, 'host patterns'],
    ['urls', urlPatternProblem, 'URL patterns'],
    ['sourceServiceAccounts', serviceAccountRule, 'service account emails'],
    ['sourceTags', tagRule, 'secure tag value IDs'],
  ];
  for (const [field, rule_, what] of lists) {
    if (rule[field] !== undefined) found.push(...stringList(rule[field], [i, field], rule_, what));
  }
  found.push(...checkCombination(rule, i));
  return found;
}

const count = (v: unknown): number => (Array.isArray(v) ? v.length : 0);

/** What only the fields together can say. */
function checkCombination(rule: Record<string, unknown>, i: number): Found {
  const found: Found = [];
  if (count(rule.hosts) + count(rule.urls) === 0) {
    found.push(
      at(
        [i],
        'matches nothing: it has no hosts and no urls',
        'Give "hosts" (["example.com"]) or "urls" (["example.com/path/*"]).',
      ),
    );
  }
  if (count(rule.urls) > 0 && rule.tlsInspection === false) {
    found.push(at([i, 'tlsInspection'], 'is false, but the rule matches URL paths', TLS_DETAIL));
  }
  const sources = count(rule.sourceServiceAccounts) + count(rule.sourceTags);
  if (sources > MAX_SOURCES) {
    found.push(
      at(
        [i],
        `restricts to ${sources} sources; at most ${MAX_SOURCES} are allowed`,
        'A matcher may hold at most 12 logical operators; split the rule.',
      ),
    );
  }
  return found;
}

/** Every problem of one SWP_POLICY_RULES value, each at its path. */
export function policyRulesProblems(raw: unknown): PathProblem[] {
  if (!Array.isArray(raw)) {
    return [at([], `must be an array of rules, not ${jsonType(raw)}`, `e.g. [${RULE_EXAMPLE}]`)];
  }
  if (raw.length > MAX_POLICY_RULES) {
    return [
      at(
        [],
        `has ${raw.length} rules; at most ${MAX_POLICY_RULES} are allowed`,
        'Merge rules that share an action: each takes many hosts.',
      ),
    ];
  }
  const found = raw.flatMap((rule, i) => checkRule(rule, i));
  raw.forEach((rule, i) => {
    const name = (rule as Record<string, unknown> | null)?.name;
    const first = raw.findIndex((r) => (r as Record<string, unknown> | null)?.name === name);
    if (typeof name === 'string' && first < i) {
      found.push(
        at(
          [i, 'name'],
          `${show(name)} is also the name of SWP_POLICY_RULES[${first}]`,
          'Rule names are unique within the policy.',
        ),
      );
    }
  });
  return found;
}

/** The checked value as the rest of dpgce reads it. */
export function normalizePolicyRules(raw: unknown): PolicyRuleConfig[] {
  const rules = (raw ?? []) as Array<Record<string, any>>;
  const lowerHost = (u: string): string => u.replace(/^[^/]*/, (h) => h.toLowerCase());
  return rules.map((r) => ({
    name: r.name,
    action: r.action,
    hosts: [...new Set<string>((r.hosts ?? []).map((h: string) => h.toLowerCase()))],
    urls: [...new Set<string>((r.urls ?? []).map(lowerHost))],
    tlsInspection: r.tlsInspection ?? true,
    sourceServiceAccounts: [...new Set<string>(r.sourceServiceAccounts ?? [])],
    sourceTags: [...new Set<string>(r.sourceTags ?? [])],
    ...(r.priority !== undefined ? { priority: r.priority } : {}),
    ...(r.description !== undefined ? { description: r.description } : {}),
  }));
}
