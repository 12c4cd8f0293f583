import { GcpError, isPropagation, isTransient } from '../gcp/errors.js';
import { awaitOperation } from './lro.js';
import { lastSegment, orMissing, parentOf, sorted } from './common.js';
import { poolName } from './privateca.js';
import { freePriority } from './rule-priority.js';
import { diffFields, hasDescriptionMark, type Desired, type ResourceHandler, type RunContext } from './types.js';

// Network Security: the TLS inspection policy, the gateway security policy
// and its rules. None of these has labels: the mark is in the description.

type Kind = 'tlsInspectionPolicies' | 'gatewaySecurityPolicies' | 'rules' | 'urlLists';

function collection(ns: any, kind: Kind): any {
  const l = ns.projects.locations;
  return kind === 'rules' ? l.gatewaySecurityPolicies.rules : l[kind];
}

function handler(kind: string, api: Kind, idParam: string, compare: Parameters<typeof diffFields>[2],
  body: (ctx: RunContext, d: Desired) => Record<string, unknown> = (_c, d) => d.spec,
  createRetry?: (ctx: RunContext, d: Desired) => Parameters<RunContext['session']['call']>[2]): ResourceHandler {
  const method = (verb: string): string => `networksecurity.${api}.${verb}`;
  return {
    kind,
    async read(ctx, d) {
      const c = collection(await ctx.session.client('networksecurity'), api);
      const actual: any = await orMissing(() => ctx.session.call({ method: method('get'), resource: d.name }, () => c.get({ name: d.name })));
      return { exists: !!actual, owned: hasDescriptionMark(actual?.description, ctx.names.ownerMark), actual };
    },
    diff: (d, o) => diffFields(d.spec, o.actual, compare),
    async create(ctx, d) {
      const c = collection(await ctx.session.client('networksecurity'), api);
      const op = await ctx.session.call({ method: method('create'), resource: d.name },
        () => c.create({ parent: parentOf(d.name), [idParam]: lastSegment(d.name), requestBody: body(ctx, d) }),
        createRetry?.(ctx, d));
      await awaitOperation(ctx, 'networksecurity', op, method('create'), d.name);
    },
    async update(ctx, d, _o, diffs) {
      const c = collection(await ctx.session.client('networksecurity'), api);
      const updateMask = [...new Set(diffs.map((x) => x.field.split('.')[0]).concat('description'))].join(',');
      const op = await ctx.session.call({ method: method('patch'), resource: d.name },
        () => c.patch({ name: d.name, updateMask, requestBody: body(ctx, d) }));
      await awaitOperation(ctx, 'networksecurity', op, method('patch'), d.name);
    },
    async delete(ctx, d) {
      const c = collection(await ctx.session.client('networksecurity'), api);
      const op = await ctx.session.call({ method: method('delete'), resource: d.name }, () => c.delete({ name: d.name }));
      await awaitOperation(ctx, 'networksecurity', op, method('delete'), d.name);
    },
  };
}

const byLocation = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/^projects\/[^/]+\//, '') : v);

/**
 * How long to wait for a new IAM grant to be seen by the service that checks
 * it: DPGCE_IAM_PROPAGATION_TIMEOUT seconds, default 5 minutes (grants
 * usually land within 2 minutes; Google documents up to 7).
 */
export function propagationTimeoutMs(): number {
  const s = Number(process.env.DPGCE_IAM_PROPAGATION_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 5 * 60_000;
}

const tlsBase = handler('tls-inspection-policy', 'tlsInspectionPolicies', 'tlsInspectionPolicyId',
  [{ field: 'caPool', norm: byLocation }],
  (ctx, d) => ({ ...d.spec, caPool: poolName(ctx) }),
  // The service agent's new role on the pool takes a while to be seen (F21).
  () => ({ retryable: (e) => isTransient(e) || isPropagation(e), deadlineMs: propagationTimeoutMs() }));

export const tlsInspectionPolicy: ResourceHandler = {
  ...tlsBase,
  async create(ctx, d) {
    try {
      await tlsBase.create(ctx, d);
    } catch (err) {
      if (!(err instanceof GcpError && isPropagation(err))) throw err;
      const member = `serviceAccount:service-${await ctx.projectNumber()}@gcp-sa-networksecurity.iam.gserviceaccount.com`;
      throw new GcpError(err.site, err.httpStatus, err.status, err.reason,
        `${member} still lacks roles/privateca.certificateManager on ${poolName(ctx)} after ` +
        `${Math.round(propagationTimeoutMs() / 1000)}s of retries (${err.detail}). IAM may need longer: run up again, ` +
        'or raise DPGCE_IAM_PROPAGATION_TIMEOUT (seconds); check that the grant exists with ' +
        '`gcloud privateca pools get-iam-policy`.');
    }
  },
  describe: (_d, o) => `TLS inspection with CA pool ${lastSegment(o.actual?.caPool ?? '?')}`,
};

export const gatewaySecurityPolicy: ResourceHandler = {
  ...handler('gateway-security-policy', 'gatewaySecurityPolicies', 'gatewaySecurityPolicyId',
    [{ field: 'tlsInspectionPolicy', norm: byLocation }]),
  describe: (_d, o) => `default deny; TLS inspection policy ${lastSegment(o.actual?.tlsInspectionPolicy ?? 'none')}`,
};

const ruleBase = handler('gateway-security-policy-rule', 'rules', 'gatewaySecurityPolicyRuleId', [
  // proto3: a priority of 0 is not echoed.
  { field: 'priority', norm: (v) => Number(v ?? 0) },
  { field: 'basicProfile' },
  { field: 'enabled', norm: (v) => v ?? false },
  { field: 'sessionMatcher' },
  { field: 'applicationMatcher', norm: (v) => v ?? '' },
  { field: 'tlsInspectionEnabled', norm: (v) => v ?? false },
]);

export const gatewaySecurityPolicyRule: ResourceHandler = {
  ...ruleBase,
  async create(ctx, d) {
    await freePriority(ctx, d);
    await ruleBase.create(ctx, d);
  },
  async update(ctx, d, o, diffs) {
    if (diffs.some((x) => x.field === 'priority')) await freePriority(ctx, d);
    await ruleBase.update!(ctx, d, o, diffs);
  },
  describe: (_d, o) => `${o.actual?.basicProfile ?? '?'} at priority ${o.actual?.priority ?? '?'}` +
    `${o.actual?.tlsInspectionEnabled ? ', TLS inspected' : ''}: ${o.actual?.sessionMatcher ?? ''}`,
};

export const urlList: ResourceHandler = {
  ...handler('url-list', 'urlLists', 'urlListId', [{ field: 'values', norm: sorted }]),
  describe: (_d, o) => `${(o.actual?.values ?? []).length} hosts: ${(o.actual?.values ?? []).join(', ')}`,
};
