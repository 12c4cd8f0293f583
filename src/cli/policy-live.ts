import { GcpError } from '../gcp/errors.js';
import type { Session } from '../gcp/session.js';
import { ruleFromResource, type RuleResource, type SimulatedPolicy } from '../policy/simulate.js';
import { referencedUrlLists } from '../policy/url-list.js';
import { CliError } from './errors.js';

// `policy test --live` and `policy explain --live`: the gateway security
// policy as deployed, read back through the session — every rule (enabled or
// not, ours or added by hand) and every URL list their matchers name — so the
// simulator evaluates what the proxy enforces, not what env.json says.

export interface DeployedPolicy extends SimulatedPolicy {
  tlsInspectionPolicy?: string;
}

async function orNotFound<T>(read: () => Promise<T>, missing: () => CliError): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof GcpError && err.notFound) throw missing();
    throw err;
  }
}

export async function readDeployedPolicy(
  session: Session,
  policyName: string,
): Promise<DeployedPolicy> {
  const ns = await session.client('networksecurity');
  const policies = ns.projects.locations.gatewaySecurityPolicies;

  // 1. The policy itself: it says whether rules may inspect TLS.
  const policy = await orNotFound(
    () =>
      session.call(
        { method: 'networksecurity.gatewaySecurityPolicies.get', resource: policyName },
        () => policies.get({ name: policyName }),
      ),
    () =>
      new CliError(
        `gateway security policy ${policyName} does not exist; run dpgce up first, ` +
          'or check --env and the target flags',
      ),
  );

  // 2. Every rule, page by page.
  const rules: RuleResource[] = [];
  let pageToken: string | undefined;
  do {
    const page = await session.call(
      { method: 'networksecurity.gatewaySecurityPolicies.rules.list', resource: policyName },
      () => policies.rules.list({ parent: policyName, pageToken }),
    );
    rules.push(...((page.gatewaySecurityPolicyRules ?? []) as RuleResource[]));
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);

  // 3. The URL lists the matchers name.
  const lists = new Map<string, string[]>();
  for (const rule of rules) {
    for (const list of [rule.sessionMatcher, rule.applicationMatcher].flatMap(referencedUrlLists)) {
      if (lists.has(list)) continue;
      const found = await orNotFound(
        () =>
          session.call({ method: 'networksecurity.urlLists.get', resource: list }, () =>
            ns.projects.locations.urlLists.get({ name: list }),
          ),
        () => new CliError(`rule ${rule.name} refers to URL list ${list}, which does not exist`),
      );
      lists.set(list, found.values ?? []);
    }
  }
  return {
    origin: policyName,
    rules: rules.map(ruleFromResource),
    lists,
    tlsInspectionPolicy: policy.tlsInspectionPolicy ?? undefined,
  };
}
