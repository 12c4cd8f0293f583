import type { EnvConfig } from '../config/types.js';
import { PRESETS } from './presets.js';

// Gateway security policy rules from env.json: one ALLOW rule per preset
// (named after it) and one for SWP_ALLOWED_HOSTS. Everything else is denied
// by the Secure Web Proxy's default (no rule matches -> deny), so there is
// never an allow-all rule. Priorities are unique and follow a stable order:
// presets as listed, then the user's hosts.

export interface PolicyRule {
  /** Rule id, also the logical name: `gateway-security-policy-rule.<name>`. */
  name: string;
  priority: number;
  sessionMatcher: string;
  tlsInspectionEnabled: boolean;
  description: string;
  hosts: string[];
  /** Set when the hosts are too many for one matcher: a URL list of them. */
  urlList?: string;
}

/**
 * Above this many hosts a rule matches through a URL list: the service
 * refuses matchers with more than 12 logical operators, and a list is
 * easier to read in the console.
 */
export const INLINE_HOSTS_MAX = 4;

const FIRST_PRIORITY = 1000;
const PRIORITY_STEP = 10;

/** `urlListName(rule)` gives the full URL list name for a rule that needs one. */
export function policyRules(config: EnvConfig, urlListName: (rule: string) => string = (r) => r): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const name of config.policyPresets) {
    if (!Object.hasOwn(PRESETS, name)) throw new Error(`unknown preset ${name} (validation should have refused it)`);
    const preset = PRESETS[name];
    rules.push({
      name,
      priority: 0,
      sessionMatcher: hostMatcher(preset.hosts.map((h) => h.host)),
      tlsInspectionEnabled: preset.tlsInspection,
      description: `preset ${name}: ${preset.description}`,
      hosts: preset.hosts.map((h) => h.host),
    });
  }
  if (config.allowedHosts.length > 0) {
    rules.push({
      name: 'allowed-hosts',
      priority: 0,
      sessionMatcher: hostMatcher(config.allowedHosts),
      tlsInspectionEnabled: true,
      description: 'SWP_ALLOWED_HOSTS from env.json',
      hosts: [...config.allowedHosts],
    });
  }
  rules.forEach((r, i) => {
    r.priority = FIRST_PRIORITY + i * PRIORITY_STEP;
    if (new Set(r.hosts).size > INLINE_HOSTS_MAX) {
      r.urlList = urlListName(r.name);
      r.sessionMatcher = `inUrlList(host(), '${r.urlList}')`;
    }
  });
  return rules;
}

/** CEL for a host list: exact names compare, `*.suffix` matches subdomains only. */
export function hostMatcher(patterns: string[]): string {
  const unique = [...new Set(patterns.map((p) => p.toLowerCase()))].sort();
  return unique
    .map((p) => (p.startsWith('*.') ? `host().endsWith('${p.slice(1)}')` : `host() == '${p}'`))
    .join(' || ');
}
