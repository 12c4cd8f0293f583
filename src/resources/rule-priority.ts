import { awaitOperation } from './lro.js';
import { lastSegment, parentOf } from './common.js';
import { hasDescriptionMark, type Desired, type RunContext } from './types.js';

// Moving a gateway security policy rule to a priority another rule still
// holds. Rule priorities follow positions in env.json, so inserting a rule
// shifts the ones after it, and the rules are changed one at a time: the new
// rule wants the priority its neighbour has until that neighbour's own update
// runs. Priorities are unique per policy (the emulator refuses a duplicate;
// the service's behaviour is unconfirmed, gcp-api-facts §18.2), so the
// neighbour is first parked on the nearest free priority after it — it keeps
// its place relative to every other rule — and its own update then moves it
// to where env.json puts it. A rule env.json does not have is never moved.

interface ListedRule {
  name: string;
  priority?: number;
  description?: string;
}

async function listRules(ctx: RunContext, policy: string): Promise<ListedRule[]> {
  const ns = await ctx.session.client('networksecurity');
  const rules: ListedRule[] = [];
  let pageToken: string | undefined;
  do {
    const page = await ctx.session.call(
      { method: 'networksecurity.gatewaySecurityPolicies.rules.list', resource: policy },
      () => ns.projects.locations.gatewaySecurityPolicies.rules.list({ parent: policy, pageToken }),
    );
    rules.push(...((page.gatewaySecurityPolicyRules ?? []) as ListedRule[]));
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return rules;
}

/** Frees `d.spec.priority` in its policy for `d`, parking the rule that holds it. */
export async function freePriority(ctx: RunContext, d: Desired): Promise<void> {
  const want = Number(d.spec.priority ?? 0);
  const policy = parentOf(d.name);
  const rules = await listRules(ctx, policy);
  const holder = rules.find((r) => r.name !== d.name && Number(r.priority ?? 0) === want);
  if (!holder) return;

  // 1. Only a rule this environment still wants may be moved.
  const id = lastSegment(holder.name);
  const wanted = ctx.observed.has(`gateway-security-policy-rule.${id}`);
  if (!wanted || !hasDescriptionMark(holder.description, ctx.names.ownerMark)) {
    throw new Error(
      `priority ${want} of ${policy} is held by rule ${id}, which env.json does not define; ` +
        `delete that rule or give ${lastSegment(d.name)} another priority in SWP_POLICY_RULES`,
    );
  }

  // 2. The nearest free priority after it.
  const taken = new Set(rules.map((r) => Number(r.priority ?? 0)));
  let slot = want + 1;
  while (taken.has(slot)) slot += 1;
  const ns = await ctx.session.client('networksecurity');
  const op = await ctx.session.call(
    { method: 'networksecurity.gatewaySecurityPolicies.rules.patch', resource: holder.name },
    () =>
      ns.projects.locations.gatewaySecurityPolicies.rules.patch({
        name: holder.name,
        updateMask: 'priority',
        requestBody: { priority: slot },
      }),
  );
  await awaitOperation(
    ctx,
    'networksecurity',
    op,
    'networksecurity.gatewaySecurityPolicies.rules.patch',
    holder.name,
  );
}
