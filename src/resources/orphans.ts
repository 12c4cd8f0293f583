import { lastSegment } from './common.js';
import { hasDescriptionMark, type Desired, type Observed, type RunContext } from './types.js';

// Members of the environment's gateway security policy (its rules) and the
// environment's URL lists that env.json no longer names. An allowlist that
// can only grow is no allowlist: owned leftovers are planned for deletion,
// and a rule dpgce did not write inside our default-deny policy is shown, so
// that no one's allow-all hides in it.

export interface Orphans {
  graph: Desired[];
  observed: Map<string, Observed>;
}

export async function findOrphans(ctx: RunContext, graph: Desired[]): Promise<Orphans> {
  const out: Orphans = { graph: [], observed: new Map() };
  const known = new Set(graph.map((d) => d.name));
  const policy = graph.find((d) => d.kind === 'gateway-security-policy');
  if (!policy || !ctx.observed.get(policy.address)?.exists) return out;
  const ns: any = await ctx.session.client('networksecurity');
  const env = ctx.names.ownerMark;

  // 1. Rules in our policy that the graph does not hold.
  const rules = await listAll((pageToken) => ctx.session.call(
    { method: 'networksecurity.gatewaySecurityPolicies.rules.list', resource: policy.name },
    () => ns.projects.locations.gatewaySecurityPolicies.rules.list({ parent: policy.name, pageToken })), 'gatewaySecurityPolicyRules');
  const orphanRules: string[] = [];
  for (const rule of rules.filter((r) => !known.has(r.name))) {
    const address = `gateway-security-policy-rule.${lastSegment(rule.name)}`;
    orphanRules.push(address);
    out.graph.push({ address, kind: 'gateway-security-policy-rule', name: rule.name, orphan: true,
      dependsOn: [policy.address], parent: policy.address, spec: {} });
    out.observed.set(address, { exists: true, owned: hasDescriptionMark(rule.description, env), actual: rule });
  }

  // 2. Our URL lists (named `<env>-...`, marked) that no rule uses any more.
  const location = policy.name.split('/gatewaySecurityPolicies/')[0];
  const lists = await listAll((pageToken) => ctx.session.call(
    { method: 'networksecurity.urlLists.list', resource: location },
    () => ns.projects.locations.urlLists.list({ parent: location, pageToken })), 'urlLists');
  for (const l of lists.filter((x) => !known.has(x.name) && lastSegment(x.name).startsWith(`${env}-`) &&
    hasDescriptionMark(x.description, env))) {
    const address = `url-list.${lastSegment(l.name).slice(env.length + 1)}`;
    // Rules that may still reference it go first.
    out.graph.push({ address, kind: 'url-list', name: l.name, orphan: true, dependsOn: [],
      deleteAfter: orphanRules, spec: {} });
    out.observed.set(address, { exists: true, owned: true, actual: l });
  }
  return out;
}

async function listAll(page: (token?: string) => Promise<any>, key: string): Promise<any[]> {
  const items: any[] = [];
  let token: string | undefined;
  do {
    const res = await page(token);
    items.push(...(res[key] ?? []));
    token = res.nextPageToken ?? undefined;
  } while (token);
  return items;
}
