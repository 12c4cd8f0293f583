import { BOOT_SCRIPT_DEFAULT_BYPASS } from '../node/metadata.js';
import type { EvaluatedRule } from '../policy/evaluate.js';
import { ruleAddress } from '../policy/rules.js';
import type { SimulatedPolicy, TestResult } from '../policy/simulate.js';
import { referencedUrlLists } from '../policy/url-list.js';
import { paint } from './output.js';

// The views of `dpgce policy test` and `dpgce policy explain`: people get a
// two-line entry per URL and a rule table; --json gets one document each.

const VERDICT_COLOR: Record<TestResult['verdict'], number> = { allow: 32, deny: 31, bypass: 36 };

export function testText(results: readonly TestResult[], origin: string, color: boolean): string {
  const lines = [`policy: ${origin}`, ''];
  for (const r of results) {
    lines.push(
      `${paint(color, VERDICT_COLOR[r.verdict], r.verdict.toUpperCase().padEnd(7))} ${r.url}`,
    );
    lines.push(`${' '.repeat(8)}${r.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `{"results":[{"url","verdict","rule","tlsInspection"}]}`, exactly those keys. */
export function testJson(results: readonly TestResult[]): unknown {
  return {
    results: results.map(({ url, verdict, rule, tlsInspection }) => ({
      url,
      verdict,
      rule,
      tlsInspection,
    })),
  };
}

export interface ExplainedRule {
  rule: string;
  priority: number;
  action: string;
  enabled: boolean;
  tlsInspection: boolean;
  sessionMatcher: string;
  applicationMatcher: string | null;
  urlLists: Array<{ name: string; values: string[] }>;
}

/** Rules in evaluation order (disabled ones too, marked), with the URL lists they name. */
export function explainRules(policy: SimulatedPolicy): ExplainedRule[] {
  const order = (a: EvaluatedRule, b: EvaluatedRule): number =>
    a.priority - b.priority || a.name.localeCompare(b.name);
  return [...policy.rules].sort(order).map((r) => ({
    rule: ruleAddress(r.name),
    priority: r.priority,
    action: r.basicProfile,
    enabled: r.enabled,
    tlsInspection: !!r.tlsInspectionEnabled,
    sessionMatcher: r.sessionMatcher,
    applicationMatcher: r.applicationMatcher ?? null,
    urlLists: [r.sessionMatcher, r.applicationMatcher]
      .flatMap(referencedUrlLists)
      .filter((name, i, all) => all.indexOf(name) === i)
      .map((name) => ({ name, values: [...(policy.lists.get(name) ?? [])] })),
  }));
}

export function explainJson(policy: SimulatedPolicy): unknown {
  return {
    policy: policy.origin,
    rules: explainRules(policy),
    bypass: [...BOOT_SCRIPT_DEFAULT_BYPASS],
  };
}

const shortName = (name: string): string => name.slice(name.lastIndexOf('/') + 1);

export function explainText(policy: SimulatedPolicy, color: boolean): string {
  const rules = explainRules(policy);
  const actions = rules.map((r) => (r.enabled ? r.action : `${r.action} (disabled)`));
  const width = Math.max(17, ...rules.map((r) => r.rule.length));
  const actionWidth = Math.max(6, ...actions.map((a) => a.length));
  const row = (
    priority: string,
    rule: string,
    action: string,
    tls: string,
    what: string,
    tint = 0,
  ): string => {
    const shown = tint
      ? paint(color, tint, action.padEnd(actionWidth))
      : action.padEnd(actionWidth);
    return `${priority.padEnd(10)} ${rule.padEnd(width)}  ${shown}  ${tls.padEnd(3)}  ${what}`;
  };
  const indent = ' '.repeat(10 + 1 + width + 2 + actionWidth + 2 + 3 + 2);
  const lines = [
    `policy: ${policy.origin}`,
    '',
    row('PRIORITY', 'RULE', 'ACTION', 'TLS', 'MATCHES'),
  ];
  rules.forEach((r, i) => {
    lines.push(
      row(
        String(r.priority),
        r.rule,
        actions[i],
        r.tlsInspection ? 'yes' : 'no',
        `session: ${r.sessionMatcher}`,
        r.action === 'DENY' ? 31 : 32,
      ),
    );
    if (r.applicationMatcher) lines.push(`${indent}application: ${r.applicationMatcher}`);
    for (const list of r.urlLists)
      lines.push(`${indent}URL list ${shortName(list.name)}: ${list.values.join(', ')}`);
  });
  lines.push(
    row('last', '(no rule matches)', 'DENY', '-', 'the proxy denies what no rule allows', 31),
  );
  lines.push(
    '',
    `Never proxied (the nodes' bypass list): ${BOOT_SCRIPT_DEFAULT_BYPASS.join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}
