import type { EnvConfig, PolicyRuleConfig } from '../config/types.js';
import { and, hostMatcher, inUrlList, sourceMatcher } from './matchers.js';
import { PRESETS } from './presets.js';

// Gateway security policy rules from env.json, in a stable order with unique
// priorities: SWP_POLICY_RULES first, in list order (100, 110, ... unless a
// rule sets its own), so a deny written there beats every preset; then one
// ALLOW rule per preset (1000, 1010, ...), then `allowed-hosts` for
// SWP_ALLOWED_HOSTS. Everything else is denied by the Secure Web Proxy's
// default (no rule matches -> deny), so there is never an allow-all rule.

export interface PolicyRule {
  /** Rule id, also the logical name: `gateway-security-policy-rule.<name>`. */
  name: string;
  priority: number;
  basicProfile: 'ALLOW' | 'DENY';
  sessionMatcher: string;
  /** Only for URL patterns, which need TLS inspection to be seen. */
  applicationMatcher?: string;
  tlsInspectionEnabled: boolean;
  description: string;
  hosts: string[];
  urls: string[];
  /** Set when the rule matches through a URL list: its full name and entries. */
  urlList?: { name: string; values: string[] };
  origin: 'rule' | 'preset' | 'allowed-hosts';
}

export interface RuleOptions {
  /** The full URL list name for a rule that needs one. */
  urlListName: (rule: string) => string;
  /**
   * Whether the policy references a TLS inspection policy. The service takes
   * tlsInspectionEnabled only then, so without one no rule inspects.
   */
  tlsInspection: boolean;
}

/**
 * Above this many hosts a rule matches through a URL list: the service
 * refuses matchers with more than 12 logical operators, and a list is
 * easier to read in the console.
 */
export const INLINE_HOSTS_MAX = 4;

export const RULES_FIRST_PRIORITY = 100;
export const PRESETS_FIRST_PRIORITY = 1000;
const PRIORITY_STEP = 10;

export const ruleAddress = (name: string): string => `gateway-security-policy-rule.${name}`;

/** A rule's name, priority and where it comes from, before its matchers are built. */
export interface PlannedPriority {
  name: string;
  priority: number;
  origin: PolicyRule['origin'];
}

/** Every rule's priority, from the three sources in policy order. */
export function plannedPriorities(
  rules: ReadonlyArray<Pick<PolicyRuleConfig, 'name' | 'priority'>>,
  presets: readonly string[],
  hasAllowedHosts: boolean,
): PlannedPriority[] {
  const fixed = [...presets, ...(hasAllowedHosts ? ['allowed-hosts'] : [])];
  return [
    ...rules.map((r, i) => ({
      name: r.name,
      origin: 'rule' as const,
      priority: r.priority ?? RULES_FIRST_PRIORITY + i * PRIORITY_STEP,
    })),
    ...fixed.map((name, i) => ({
      name,
      origin: name === 'allowed-hosts' ? ('allowed-hosts' as const) : ('preset' as const),
      priority: PRESETS_FIRST_PRIORITY + i * PRIORITY_STEP,
    })),
  ];
}

export function policyRules(config: EnvConfig, opts: RuleOptions): PolicyRule[] {
  const priorities = plannedPriorities(
    config.policyRules,
    config.policyPresets,
    config.allowedHosts.length > 0,
  );
  const rules = [
    ...config.policyRules.map((r) => userRule(r, opts)),
    ...config.policyPresets.map((name) => presetRule(name, opts)),
    ...(config.allowedHosts.length
      ? [
          hostRule(
            'allowed-hosts',
            config.allowedHosts,
            true,
            'SWP_ALLOWED_HOSTS from env.json',
            'allowed-hosts',
            opts,
          ),
        ]
      : []),
  ];
  rules.forEach((r, i) => (r.priority = priorities[i].priority));
  if (new Set(rules.map((r) => r.priority)).size !== rules.length) {
    throw new Error(
      'two gateway security policy rules share a priority (validation should have refused it)',
    );
  }
  return rules;
}

function presetRule(name: string, opts: RuleOptions): PolicyRule {
  if (!Object.hasOwn(PRESETS, name))
    throw new Error(`unknown preset ${name} (validation should have refused it)`);
  const preset = PRESETS[name];
  return hostRule(
    name,
    preset.hosts.map((h) => h.host),
    preset.tlsInspection,
    `preset ${name}: ${preset.description}`,
    'preset',
    opts,
  );
}

/** An ALLOW rule on hosts only, inline or through a URL list when they are many. */
function hostRule(
  name: string,
  hosts: string[],
  tls: boolean,
  description: string,
  origin: PolicyRule['origin'],
  opts: RuleOptions,
): PolicyRule {
  const unique = [...new Set(hosts)];
  const rule: PolicyRule = {
    name,
    priority: 0,
    basicProfile: 'ALLOW',
    sessionMatcher: hostMatcher(unique),
    tlsInspectionEnabled: tls && opts.tlsInspection,
    description,
    hosts: unique,
    urls: [],
    origin,
  };
  if (unique.length > INLINE_HOSTS_MAX) {
    rule.urlList = { name: opts.urlListName(name), values: [...unique].sort() };
    rule.sessionMatcher = inUrlList('host()', rule.urlList.name);
  }
  return rule;
}

/**
 * An SWP_POLICY_RULES entry. URL patterns go in a URL list with the rule's
 * hosts: the session matcher checks the host part of every entry (that is how
 * a list matches `host()`), the application matcher the whole URL.
 */
function userRule(r: PolicyRuleConfig, opts: RuleOptions): PolicyRule {
  if (r.urls.length && !(r.tlsInspection && opts.tlsInspection)) {
    throw new Error(
      `rule ${r.name} matches URLs without TLS inspection (validation should have refused it)`,
    );
  }
  const action = r.action === 'allow' ? 'ALLOW' : 'DENY';
  const patterns = [...r.hosts, ...r.urls];
  const shown = `${patterns.slice(0, 3).join(', ')}${patterns.length > 3 ? ', ...' : ''}`;
  const description = r.description ?? `SWP_POLICY_RULES ${r.name}: ${r.action} ${shown}`;
  const source = sourceMatcher(r.sourceServiceAccounts, r.sourceTags);
  const base = hostRule(r.name, r.hosts, r.tlsInspection, description, 'rule', opts);
  const rule: PolicyRule = { ...base, basicProfile: action, urls: [...r.urls] };
  if (r.urls.length) {
    rule.urlList = {
      name: opts.urlListName(r.name),
      values: [...new Set([...r.hosts, ...r.urls])].sort(),
    };
    rule.sessionMatcher = inUrlList('host()', rule.urlList.name);
    rule.applicationMatcher = inUrlList('request.url()', rule.urlList.name);
  }
  rule.sessionMatcher = and(rule.sessionMatcher, source);
  return rule;
}

/** The API body of a rule, without the ownership mark. */
export function ruleBody(rule: PolicyRule): Record<string, unknown> {
  return {
    basicProfile: rule.basicProfile,
    enabled: true,
    priority: rule.priority,
    sessionMatcher: rule.sessionMatcher,
    ...(rule.applicationMatcher ? { applicationMatcher: rule.applicationMatcher } : {}),
    tlsInspectionEnabled: rule.tlsInspectionEnabled,
    description: rule.description,
  };
}
