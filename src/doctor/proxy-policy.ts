import type { EnvConfig } from '../config/types.js';
import { proxyTestUrl } from '../plan/cluster-spec.js';
import { presetHosts } from '../policy/presets.js';
import {
  policyFromGraph,
  ruleFromResource,
  testUrl,
  type SimulatedPolicy,
  type TestResult,
} from '../policy/simulate.js';
import { referencedUrlLists } from '../policy/url-list.js';
import type { Desired } from '../resources/types.js';
import { fail, pass, type CheckResult, type DoctorContext } from './check.js';
import { found, readOrMissing, shortName } from './observed.js';

// The egress policy as the proxy enforces it: the rules and URL lists read
// back from the cloud (what `prepare` found: env.json's rules plus every
// other rule of the policy), evaluated by the project's simulator. What a
// node must fetch is judged against what env.json's own policy decides, so
// a host env.json itself denies (a DENY rule of SWP_POLICY_RULES) is not
// expected to pass, and the rule env.json meant to allow a host is named
// when the live policy does not.

export const ALLOWS = 'proxy.allows-needed-hosts';
export const DENIES = 'proxy.denies-other-hosts';

/** Hosts no preset names: the policy must deny them. A name and a raw IP. */
const OTHERS = ['https://example.org/', 'https://203.0.113.10/'];

/** One URL a node fetches, with the env.json key that asks for it. */
interface Needed {
  url: string;
  key: string;
}

/**
 * What the boot script and the GPU driver installation fetch through the
 * proxy: every preset host, SWP_ALLOWED_HOSTS, and the boot script's
 * self-test URL. A wildcard stands for one name under it (the region's
 * label, as Compute Engine's regional mirrors are named).
 */
export function neededUrls(config: EnvConfig): Needed[] {
  const host = (h: string): string => (h.startsWith('*.') ? `${config.region}${h.slice(1)}` : h);
  const out: Needed[] = [
    ...presetHosts(config.policyPresets).map((h) => ({
      url: `https://${host(h.host)}/`,
      key: `SWP_POLICY_PRESETS (preset ${h.preset})`,
    })),
    ...config.allowedHosts.map((h) => ({ url: `https://${host(h)}/`, key: 'SWP_ALLOWED_HOSTS' })),
  ];
  const selfTest = proxyTestUrl(config);
  if (selfTest) {
    out.push({
      url: selfTest,
      key: config.cluster.proxyTestUrl ? 'PROXY_TEST_URL' : 'the boot self-test (proxy-test-url)',
    });
  }
  return out.filter((n, i) => out.findIndex((m) => m.url === n.url) === i);
}

/** The deployed policy: every rule `prepare` saw in it, and the URL lists they name. */
async function livePolicy(dc: DoctorContext, policy: Desired): Promise<SimulatedPolicy & { missingLists: string[] }> {
  const ruleDs = dc.p.graph.filter((d) => d.kind === 'gateway-security-policy-rule' && d.parent === policy.address);
  const rules = ruleDs.flatMap((d) => {
    const actual = found(dc, d.address);
    return actual ? [ruleFromResource({ ...actual, name: actual.name ?? d.name })] : [];
  });
  const lists = new Map<string, string[]>();
  for (const d of dc.p.graph.filter((x) => x.kind === 'url-list')) {
    const actual = found(dc, d.address);
    if (actual) lists.set(d.name, actual.values ?? []);
  }

  // A rule written elsewhere may name a list env.json does not know.
  const named = rules.flatMap((r) => [r.sessionMatcher, r.applicationMatcher].flatMap(referencedUrlLists));
  const unknown = [...new Set(named)].filter((l) => !lists.has(l));
  const ns = await dc.p.session.client('networksecurity');
  const read = await Promise.all(unknown.map((name) => readOrMissing(dc,
    { method: 'networksecurity.urlLists.get', resource: name },
    () => ns.projects.locations.urlLists.get({ name }))));
  // A list that is gone holds nothing, so `inUrlList` on it matches nothing.
  unknown.forEach((name, i) => lists.set(name, read[i]?.values ?? []));
  const missingLists = unknown.filter((_, i) => !read[i]);
  return { origin: policy.name, rules, lists, missingLists };
}

/** How a rule came to be in the policy, for the fix: env.json's, a leftover of ours, or someone else's. */
function ruleOrigin(dc: DoctorContext, address: string): 'env' | 'leftover' | 'foreign' {
  const d = dc.p.graph.find((x) => x.address === address);
  if (d && !d.orphan) return 'env';
  return dc.p.ctx.observed.get(address)?.owned ? 'leftover' : 'foreign';
}

function deleteRuleCommand(dc: DoctorContext, address: string, policy: string): string {
  return `gcloud network-security gateway-security-policies rules delete ${address.split('.').pop()} ` +
    `--gateway-security-policy=${shortName(policy)} --location=${dc.p.config.region} --project=${dc.p.config.projectId}`;
}

const decided = (r: TestResult): string =>
  r.rule ? `${r.verdict === 'allow' ? 'allowed' : 'denied'} by ${r.rule}` : 'denied: no rule matches';

export async function policyChecks(dc: DoctorContext): Promise<CheckResult[]> {
  const policy = dc.p.graph.find((d) => d.kind === 'gateway-security-policy' && !d.orphan);
  if (!policy) return [];
  if (!found(dc, policy.address)) {
    return [fail(ALLOWS, `gateway security policy ${policy.name} does not exist, so the proxy allows nothing`,
      'run `dpgce up` to create the policy and its rules')];
  }
  const wanted = policyFromGraph(dc.p.graph.filter((d) => !d.orphan));
  let live: Awaited<ReturnType<typeof livePolicy>>;
  let results: Array<{ url: string; key: string; want: TestResult; have: TestResult }>;
  try {
    live = await livePolicy(dc, policy);
    results = [...neededUrls(dc.p.config), ...OTHERS.map((url) => ({ url, key: '' }))].map((n) => ({
      ...n, want: testUrl(wanted, n.url), have: testUrl(live, n.url),
    }));
  } catch (err) {
    return [fail(ALLOWS, `the live rules of ${policy.name} cannot be evaluated: ${(err as Error).message}`,
      'correct or delete the rule named above (`dpgce up` restores the rules env.json defines)')];
  }
  const gone = live.missingLists.length ? `; URL lists named by rules but missing: ${live.missingLists.join(', ')}` : '';
  const needed = results.filter((r) => r.key && r.want.verdict === 'allow');
  const others = results.filter((r) => !r.key && r.want.verdict === 'deny');
  return [allowsCheck(dc, policy.name, needed, gone), deniesCheck(dc, policy.name, others)];
}

function allowsCheck(dc: DoctorContext, policy: string,
  needed: Array<{ url: string; key: string; want: TestResult; have: TestResult }>, gone: string): CheckResult {
  const denied = needed.filter((r) => r.have.verdict !== 'allow');
  if (!denied.length) {
    const byRule = new Map<string, number>();
    for (const r of needed) byRule.set(r.have.rule ?? '', (byRule.get(r.have.rule ?? '') ?? 0) + 1);
    return pass(ALLOWS, `${needed.length} URLs nodes fetch at boot and for the GPU driver are allowed by ` +
      `the live policy ${shortName(policy)}: ${[...byRule].map(([r, n]) => `${r} (${n})`).join(', ')}`);
  }
  const evidence = denied.map((r) => `${new URL(r.url).host} ${decided(r.have)}, ` +
    `expected ${r.want.rule} to allow it (from ${r.key})`).join('; ');
  const blockers = [...new Set(denied.map((r) => r.have.rule).filter((r): r is string => !!r))];
  const expected = [...new Set(denied.map((r) => r.want.rule))].join(', ');
  const keys = [...new Set(denied.map((r) => r.key.split(' ')[0]))].join(' or ');
  const foreign = blockers.filter((b) => ruleOrigin(dc, b) === 'foreign')
    .map((b) => `delete or re-prioritise ${b}, which dpgce did not write (${deleteRuleCommand(dc, b, policy)}); `);
  return fail(ALLOWS, evidence + gone, `${foreign.join('')}run \`dpgce up\`: it restores ${expected} ` +
    `and the URL lists it names; if nodes no longer need a host, remove it from ${keys} in env.json`);
}

function deniesCheck(dc: DoctorContext, policy: string,
  others: Array<{ url: string; have: TestResult }>): CheckResult {
  const allowed = others.filter((r) => r.have.verdict === 'allow');
  const sample = others.map((r) => new URL(r.url).host).join(', ');
  if (!allowed.length) {
    return pass(DENIES, `${sample} denied by the live policy ${shortName(policy)} (no rule matches: default deny)`);
  }
  const rules = [...new Set(allowed.map((r) => r.have.rule ?? ''))];
  const fixes = rules.map((rule) => {
    const origin = ruleOrigin(dc, rule);
    if (origin === 'env') return `${rule} is env.json's but was changed: \`dpgce up\` restores its matcher`;
    if (origin === 'leftover') return `${rule} is no longer in env.json: \`dpgce up\` deletes it`;
    return `delete ${rule}, which dpgce did not write (${deleteRuleCommand(dc, rule, policy)})`;
  });
  return fail(DENIES, allowed.map((r) => `${new URL(r.url).host} ${decided(r.have)}`).join('; ') +
    ': the proxy lets nodes reach hosts no preset or SWP_ALLOWED_HOSTS names', fixes.join('; '));
}
