import type { Desired } from '../resources/types.js';
import { bypassOf } from './bypass.js';
import { evaluate, type EvaluatedRule, type RequestSource } from './evaluate.js';
import { ruleAddress } from './rules.js';
import type { UrlLists } from './url-list.js';

// `dpgce policy test`: what happens to a URL a node fetches. Hosts on the
// boot script's bypass list never reach the proxy (BYPASS); everything else
// is evaluated against the policy's rules (ALLOW or DENY, with the deciding
// rule). The policy is the one env.json generates or the one read back from
// the cloud; both are the same shape here, so both are evaluated alike.

/** A gateway security policy as the simulator needs it. */
export interface SimulatedPolicy {
  /** `env.json` or the policy's full resource name. */
  origin: string;
  /** Rule names are rule IDs (the last segment of the resource name). */
  rules: EvaluatedRule[];
  lists: UrlLists;
}

export interface TestResult {
  url: string;
  verdict: 'allow' | 'deny' | 'bypass';
  /** The deciding rule's address; null for the default deny and for bypasses. */
  rule: string | null;
  tlsInspection: boolean;
  /** One line for people: why this verdict. */
  reason: string;
}

/** Bad input to `policy test`: a message naming the URL. */
export class TestInputError extends Error {}

/** A URL as typed: `example.org` means `https://example.org/`. */
export function normalizeTestUrl(input: string): string {
  const text = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TestInputError(
      `${JSON.stringify(input)} is not a URL (e.g. https://example.org/path)`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TestInputError(
      `${JSON.stringify(input)}: only http:// and https:// URLs go through the proxy`,
    );
  }
  if (!url.hostname) throw new TestInputError(`${JSON.stringify(input)} has no host`);
  return url.href;
}

export function testUrl(
  policy: SimulatedPolicy,
  url: string,
  source: RequestSource = {},
): TestResult {
  const href = normalizeTestUrl(url);
  const bypass = bypassOf(new URL(href).hostname);
  if (bypass) {
    return {
      url,
      verdict: 'bypass',
      rule: null,
      tlsInspection: false,
      reason: `not proxied (${bypass.entry} is on the nodes' bypass list): ${bypass.reason}`,
    };
  }
  const v = evaluate(policy.rules, href, policy.lists, source);
  if (!v.rule) {
    return {
      url,
      verdict: 'deny',
      rule: null,
      tlsInspection: false,
      reason: 'no rule matches: the proxy denies what no rule allows',
    };
  }
  const inspected = v.tlsInspection ? 'TLS inspected' : 'TLS not inspected';
  const address = ruleAddress(v.rule);
  return {
    url,
    verdict: v.verdict,
    rule: address,
    tlsInspection: v.tlsInspection,
    reason: `${address} (priority ${v.priority}); ${inspected}`,
  };
}

/** A rule as the API returns it (proto3: absent scalars are 0 / false). */
export interface RuleResource {
  name: string;
  priority?: number;
  basicProfile?: string;
  enabled?: boolean;
  sessionMatcher?: string;
  applicationMatcher?: string;
  tlsInspectionEnabled?: boolean;
}

export function ruleFromResource(r: RuleResource): EvaluatedRule {
  return {
    name: r.name.slice(r.name.lastIndexOf('/') + 1),
    priority: Number(r.priority ?? 0),
    basicProfile: r.basicProfile ?? 'BASIC_PROFILE_UNSPECIFIED',
    enabled: r.enabled ?? false,
    sessionMatcher: r.sessionMatcher ?? '',
    applicationMatcher: r.applicationMatcher || undefined,
    tlsInspectionEnabled: r.tlsInspectionEnabled ?? false,
  };
}

/** The policy `up` would create: the rules and URL lists of the desired graph. */
export function policyFromGraph(graph: readonly Desired[]): SimulatedPolicy {
  const rules = graph
    .filter((d) => d.kind === 'gateway-security-policy-rule')
    .map((d) => ruleFromResource({ ...d.spec, name: d.name }));
  const lists = graph
    .filter((d) => d.kind === 'url-list')
    .map((d) => [d.name, d.spec.values as string[]] as const);
  return { origin: 'env.json', rules, lists: new Map(lists) };
}
