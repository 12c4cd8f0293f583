import type { RequestSource } from '../policy/evaluate.js';
import { PRESETS } from '../policy/presets.js';
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
import { found, nodeServiceAccount, readOrMissing, shortName } from './observed.js';
import { neededUrls } from './proxy-needed-urls.js';
import { clusterAddresses } from './reachability.js';

// The egress policy as the proxy enforces it: the rules and URL lists read
// back from the cloud (what `prepare` found: env.json's rules plus every
// other rule of the policy), evaluated by the project's simulator. What a
// node must fetch is judged against what env.json's own policy decides, so
// a host env.json itself denies (a DENY rule of SWP_POLICY_RULES) is not
// expected to pass, and the rule env.json meant to allow a host is named
// when the live policy does not. Both are asked as a node asks: from an
// address of the cluster subnet, as the service account nodes run as, so a
// rule on `source.ip` or `source.matchServiceAccount` counts.

export const ALLOWS = 'proxy.allows-needed-hosts';
export const DENIES = 'proxy.denies-other-hosts';

/** Hosts no preset names: the policy must deny them. A name and a raw IP. */
const OTHERS = ['https://example.org/', 'https://203.0.113.10/'];

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

/**
 * The request attributes of a node: an address of the cluster subnet, and
 * the service account the live cluster runs as (env.json's when there is
 * no cluster yet). Nodes carry no secure tag, so `source.matchTag` is false.
 */
async function nodeSource(dc: DoctorContext): Promise<RequestSource> {
  return { ip: clusterAddresses(dc.p.config)[0], serviceAccount: (await nodeServiceAccount(dc)).email };
}

type Result = { url: string; key: string; want: TestResult; have: TestResult };

export async function policyChecks(dc: DoctorContext): Promise<CheckResult[]> {
  const policy = dc.p.graph.find((d) => d.kind === 'gateway-security-policy' && !d.orphan);
  if (!policy) return [];
  if (!found(dc, policy.address)) {
    return [fail(ALLOWS, `gateway security policy ${policy.name} does not exist, so the proxy allows nothing`,
      'run `dpgce up` to create the policy and its rules')];
  }
  const wanted = policyFromGraph(dc.p.graph.filter((d) => !d.orphan));
  let live: Awaited<ReturnType<typeof livePolicy>>;
  let results: Result[];
  try {
    const [policyRead, source] = await Promise.all([livePolicy(dc, policy), nodeSource(dc)]);
    live = policyRead;
    results = [...neededUrls(dc.p.config), ...OTHERS.map((url) => ({ url, key: '' }))].map((n) => ({
      ...n, want: testUrl(wanted, n.url, source), have: testUrl(live, n.url, source),
    }));
  } catch (err) {
    return [fail(ALLOWS, `the live rules of ${policy.name} cannot be evaluated: ${(err as Error).message}`,
      'correct or delete the rule named above (`dpgce up` restores the rules env.json defines)')];
  }
  const gone = live.missingLists.length ? `; URL lists named by rules but missing: ${live.missingLists.join(', ')}` : '';
  // Needed unless env.json itself denies it by a rule; a URL that no rule of
  // env.json allows is still needed (a preset lost its host).
  const needed = results.filter((r) => r.key && r.want.verdict !== 'bypass' && !(r.want.verdict === 'deny' && r.want.rule));
  const others = results.filter((r) => !r.key && r.want.verdict === 'deny');
  return [allowsCheck(dc, policy.name, needed, gone), deniesCheck(dc, policy.name, others)];
}

/** The presets that hold a host, for a fix that names where to get it back. */
const presetsWith = (host: string): string[] =>
  Object.values(PRESETS).filter((p) => p.hosts.some((h) => h.host === host)).map((p) => p.name);

function allowsCheck(dc: DoctorContext, policy: string, needed: Result[], gone: string): CheckResult {
  const denied = needed.filter((r) => r.have.verdict !== 'allow');
  if (!denied.length) {
    const byRule = new Map<string, number>();
    for (const r of needed) byRule.set(r.have.rule ?? '', (byRule.get(r.have.rule ?? '') ?? 0) + 1);
    return pass(ALLOWS, `${needed.length} URLs nodes fetch at boot and for the GPU driver are allowed by ` +
      `the live policy ${shortName(policy)}: ${[...byRule].map(([r, n]) => `${r} (${n})`).join(', ')}`);
  }
  // One sentence per cause (how the live policy decided, what env.json expected), then its URLs.
  const groups = new Map<string, Result[]>();
  for (const r of denied) {
    const cause = `${decided(r.have)}, ` + (r.want.verdict === 'allow'
      ? `though env.json's ${r.want.rule} should allow them` : 'and no rule env.json defines allows them either');
    groups.set(cause, [...(groups.get(cause) ?? []), r]);
  }
  const evidence = `${denied.length} of ${needed.length} URLs nodes fetch are refused by the live policy ` +
    `${shortName(policy)}: ` + [...groups].map(([cause, rs]) =>
    `${cause}: ${rs.map((r) => `${r.url} (${r.key})`).join(', ')}`).join('; ');
  const fixes: string[] = [];
  for (const b of new Set(denied.map((r) => r.have.rule).filter((r): r is string => !!r))) {
    if (ruleOrigin(dc, b) === 'foreign') {
      fixes.push(`delete or re-prioritise ${b}, which dpgce did not write (${deleteRuleCommand(dc, b, policy)})`);
    }
  }
  // `up` only helps where env.json's policy allows the URL and the live copy does not follow it.
  const restorable = denied.filter((r) => r.want.verdict === 'allow' && (!r.have.rule || ruleOrigin(dc, r.have.rule) !== 'foreign'));
  if (restorable.length) {
    fixes.push(`run \`dpgce up\`: it restores ${[...new Set(restorable.map((r) => r.want.rule))].join(', ')} and the URL lists it names`);
  }
  const lacking = [...new Set(denied.filter((r) => r.want.verdict !== 'allow').map((r) => new URL(r.url).hostname))];
  if (lacking.length) {
    fixes.push(`env.json's policy lacks ${lacking.map((h) => {
      const from = presetsWith(h);
      return from.length ? `${h} (preset ${from.join(' or ')})` : h;
    }).join(', ')}: add it to SWP_ALLOWED_HOSTS or SWP_POLICY_PRESETS, then run \`dpgce up\``);
  }
  const keys = [...new Set(denied.map((r) => r.key).filter((k) => /^(SWP_ALLOWED_HOSTS|PROXY_TEST_URL)$/.test(k)))];
  fixes.push(keys.length
    ? `if nodes no longer need a host, remove it from ${keys.join(' or ')} in env.json`
    : 'if nodes must not fetch a URL, deny it with a rule of SWP_POLICY_RULES');
  return fail(ALLOWS, evidence + gone, fixes.join('; '));
}

function deniesCheck(dc: DoctorContext, policy: string,
  others: Array<{ url: string; have: TestResult }>): CheckResult {
  const allowed = others.filter((r) => r.have.verdict === 'allow');
  if (!allowed.length) {
    return pass(DENIES, `${others.map((r) => `${new URL(r.url).host} ${decided(r.have)}`).join(', ')} ` +
      `in the live policy ${shortName(policy)}`);
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
