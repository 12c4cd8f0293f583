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
}

const FIRST_PRIORITY = 1000;
const PRIORITY_STEP = 10;

export function policyRules(config: EnvConfig): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const name of config.policyPresets) {
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
  rules.forEach((r, i) => (r.priority = FIRST_PRIORITY + i * PRIORITY_STEP));
  return rules;
}

/** CEL for a host list: exact names compare, `*.suffix` matches subdomains only. */
export function hostMatcher(patterns: string[]): string {
  const unique = [...new Set(patterns.map((p) => p.toLowerCase()))].sort();
  return unique
    .map((p) => (p.startsWith('*.') ? `host().endsWith('${p.slice(1)}')` : `host() == '${p}'`))
    .join(' || ');
}
