import type { Binding, Policy } from '../resources/iam-policy.js';
import { fail, pass, type CheckResult, type DoctorContext } from './check.js';
import { desired, found, poolCas, readOrMissing, resource, sameResource, shortName } from './observed.js';

// TLS inspection, one link per check: the gateway security policy names a
// TLS inspection policy, that policy names a CA pool, the pool holds an
// ENABLED CA, and the Network Security service agent may use the pool.
// When a link is broken the next check follows env.json's name instead, so
// one cause gives one failure and the rest of the chain is still judged.

const ADMIN = 'roles/privateca.admin';

interface Link<T> {
  name: string;
  value?: T;
  /** True when reached by env.json's name because the link before is broken. */
  fallback: boolean;
}

const via = (l: Link<unknown>): string => (l.fallback ? " (env.json's name: the link before is broken)" : '');
const location = (dc: DoctorContext): string => `--location=${dc.p.config.region} --project=${dc.p.config.projectId}`;

export async function tlsChecks(dc: DoctorContext): Promise<CheckResult[]> {
  const policyD = dc.p.graph.find((d) => d.kind === 'gateway-security-policy' && !d.orphan);
  const tlsD = desired(dc, 'tls-inspection-policy.swp');
  const poolD = desired(dc, 'ca-pool.swp');
  if (!policyD || !tlsD || !poolD) return [];
  const out: CheckResult[] = [];

  // 1. Policy -> TLS inspection policy.
  const policy = found(dc, policyD.address);
  const tlsName: string | undefined = policy?.tlsInspectionPolicy || undefined;
  const ns = await dc.p.session.client('networksecurity');
  const tls = tlsName ? await resource(dc, tlsD.address, tlsName,
    { method: 'networksecurity.tlsInspectionPolicies.get', resource: tlsName },
    () => ns.projects.locations.tlsInspectionPolicies.get({ name: tlsName })) : undefined;
  const NAME1 = 'proxy.tls-inspection-policy';
  if (!policy) {
    out.push(fail(NAME1, `gateway security policy ${policyD.name} does not exist`, 'run `dpgce up`'));
  } else if (!tlsName) {
    out.push(fail(NAME1, `gateway security policy ${shortName(policyD.name)} names no TLS inspection policy, ` +
      'so no rule can inspect TLS', `run \`dpgce up\`: it sets tlsInspectionPolicy to ${tlsD.name}`));
  } else if (!tls) {
    out.push(fail(NAME1, `gateway security policy ${shortName(policyD.name)} names TLS inspection policy ` +
      `${tlsName}, which does not exist`, `run \`dpgce up\` to re-create ${shortName(tlsD.name)}`));
  } else {
    out.push(pass(NAME1, `gateway security policy ${shortName(policyD.name)} -> TLS inspection policy ${tlsName}`));
  }

  // 2. TLS inspection policy -> CA pool.
  const tlsLink: Link<Record<string, any>> = tls
    ? { name: tlsName!, value: tls, fallback: false }
    : { name: tlsD.name, value: found(dc, tlsD.address), fallback: true };
  const pool = await poolLink(dc, tlsLink, poolD.name);
  const NAME2 = 'proxy.tls-ca-pool';
  if (!tlsLink.value) {
    out.push(fail(NAME2, `TLS inspection policy ${tlsLink.name}${via(tlsLink)} does not exist`, 'run `dpgce up`'));
  } else if (!pool.value || !sameResource(pool.name, tlsLink.value.caPool)) {
    out.push(fail(NAME2, `TLS inspection policy ${shortName(tlsLink.name)}${via(tlsLink)} names CA pool ` +
      `${tlsLink.value.caPool ?? '(none)'}, which does not exist`,
      `run \`dpgce up\`: it points ${shortName(tlsLink.name)} at ${poolD.name}`));
  } else {
    out.push(pass(NAME2, `TLS inspection policy ${shortName(tlsLink.name)}${via(tlsLink)} -> CA pool ${pool.name}`));
  }

  // 3 and 4. The pool's CAs and its IAM policy, read side by side.
  const [cas, iam] = pool.value ? await Promise.all([poolCas(dc, pool.name), poolIam(dc, pool.name)]) : [[], undefined];
  out.push(enabledCheck(dc, pool, cas));
  out.push(await agentCheck(dc, pool, iam));
  return out;
}

/** The pool the TLS inspection policy names; env.json's pool when that one is missing. */
async function poolLink(dc: DoctorContext, tls: Link<Record<string, any>>, poolName: string): Promise<Link<Record<string, any>>> {
  const named: string | undefined = tls.value?.caPool;
  if (named) {
    const pca = await dc.p.session.client('privateca');
    const value = await resource(dc, 'ca-pool.swp', named, { method: 'privateca.caPools.get', resource: named },
      () => pca.projects.locations.caPools.get({ name: named }));
    if (value) return { name: named, value, fallback: false };
  }
  const actual = dc.p.ctx.observed.get('ca-pool.swp');
  const name = actual?.foundName ?? poolName;
  return { name, value: actual?.exists ? actual.actual ?? {} : undefined, fallback: true };
}

async function poolIam(dc: DoctorContext, pool: string): Promise<Policy | undefined> {
  const pca = await dc.p.session.client('privateca');
  return readOrMissing(dc, { method: 'privateca.caPools.getIamPolicy', resource: pool },
    () => pca.projects.locations.caPools.getIamPolicy({ resource: pool, 'options.requestedPolicyVersion': 3 }));
}

function enabledCheck(dc: DoctorContext, pool: Link<unknown>, cas: Record<string, any>[]): CheckResult {
  const NAME = 'proxy.tls-ca-enabled';
  const enabled = cas.filter((c) => c.state === 'ENABLED');
  const states = cas.map((c) => `${shortName(c.name)}: ${c.state}`).join(', ') || 'no CA';
  if (!pool.value) return fail(NAME, `CA pool ${pool.name} does not exist`, 'run `dpgce up`');
  if (enabled.length) return pass(NAME, `CA pool ${shortName(pool.name)}${via(pool)} has ${states}`);
  const root = desired(dc, 'certificate-authority.root');
  return fail(NAME, `CA pool ${shortName(pool.name)}${via(pool)} has no ENABLED CA (${states}), so the proxy ` +
    'cannot sign certificates for inspected connections',
    `run \`dpgce up\`, which enables ${shortName(root?.name)} (or: gcloud privateca roots enable ` +
    `${shortName(root?.name)} --pool=${shortName(pool.name)} ${location(dc)})`);
}

async function agentCheck(dc: DoctorContext, pool: Link<unknown>, iam: Policy | undefined): Promise<CheckResult> {
  const NAME = 'proxy.tls-service-agent-role';
  const role: string = desired(dc, 'ca-pool-iam.networksecurity')?.spec.role ?? 'roles/privateca.certificateManager';
  const agent = `service-${await dc.p.ctx.projectNumber()}@gcp-sa-networksecurity.iam.gserviceaccount.com`;
  const member = `serviceAccount:${agent}`;
  if (!pool.value || !iam) return fail(NAME, `CA pool ${pool.name} does not exist`, 'run `dpgce up`');
  // A conditional grant may not hold when the proxy signs, so only plain ones count.
  const holds = (iam.bindings ?? []).filter((b: Binding) => !b.condition && b.members?.includes(member));
  const granting = holds.find((b) => b.role === role || b.role === ADMIN);
  if (granting) return pass(NAME, `${agent} holds ${granting.role} on CA pool ${shortName(pool.name)}${via(pool)}`);
  const has = holds.map((b) => b.role).join(', ') || 'no role';
  return fail(NAME, `${agent} (the Network Security service agent) has ${has} on CA pool ` +
    `${shortName(pool.name)}${via(pool)}, not ${role}: TLS inspection stops working`,
    `run \`dpgce up\` (or: gcloud privateca pools add-iam-policy-binding ${shortName(pool.name)} ${location(dc)} ` +
    `--member=${member} --role=${role})`);
}
