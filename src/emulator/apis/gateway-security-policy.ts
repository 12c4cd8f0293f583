import { failedPrecondition } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { NAME_PATTERN, byProjectId, invalidArgument, stripServiceUrl } from './resource-kit.js';
import { V1, registerCollection } from './networksecurity-common.js';

// Gateway security policies (gcp-api-facts §4.1, §18.2). A referenced TLS
// inspection policy must exist in the same location. Delete is refused while
// the policy still has rules (rules whose delete has not completed count:
// the "phantom rule" failure Terraform retries) or a gateway uses it.

function normalise(req: EmuRequest, ctx: EmuContext, b: Resource): Resource {
  const out: Resource = {};
  if (b.description) out.description = b.description;
  if (typeof b.tlsInspectionPolicy === 'string' && b.tlsInspectionPolicy) {
    out.tlsInspectionPolicy = byProjectId(ctx, stripServiceUrl(b.tlsInspectionPolicy), req.params.project);
  }
  return out;
}

function check(req: EmuRequest, ctx: EmuContext, p: Resource): Resource {
  const tls = p.tlsInspectionPolicy;
  if (tls !== undefined) {
    if (!/^projects\/[^/]+\/locations\/[^/]+\/tlsInspectionPolicies\/[^/]+$/.test(tls) || !ctx.store.get(tls)) {
      throw invalidArgument(`TLS inspection policy '${tls}' was not found.`);
    }
    if (tls.split('/')[3] !== req.params.location) {
      throw invalidArgument(`TLS inspection policy '${tls}' must be in the policy's location ${req.params.location}.`);
    }
  }
  return p;
}

export const rulesOf = (ctx: EmuContext, policy: string): Resource[] => ctx.store.list(`${policy}/rules`);

export function registerGatewaySecurityPolicies(r: Router): void {
  registerCollection(r, {
    parentPath: V1, collection: 'gatewaySecurityPolicies', idParam: 'gatewaySecurityPolicyId', idPattern: NAME_PATTERN,
    idRule: 'it must match ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$', kind: 'GatewaySecurityPolicy',
    build: (req, ctx, _name, b) => check(req, ctx, normalise(req, ctx, b)),
    normalise,
    updatable: ['description', 'tlsInspectionPolicy'],
    check: (req, ctx, next) => {
      if (!next.tlsInspectionPolicy && rulesOf(ctx, next.name).some((rule) => rule.tlsInspectionEnabled)) {
        throw invalidArgument('The policy has rules with tls_inspection_enabled; it must keep its TLS inspection policy.');
      }
      return check(req, ctx, next);
    },
    beforeDelete: (_req, ctx, current) => {
      const rules = rulesOf(ctx, current.name);
      if (rules.length) {
        throw failedPrecondition(`GatewaySecurityPolicy ${current.name} still has rules ` +
          `(${rules.map((x) => x.name.split('/').pop()).join(', ')}); delete them first.`);
      }
      const gateways = ctx.store.entries(`projects/${current.name.split('/')[1]}/locations/`)
        .filter(([k, g]) => /\/gateways\/[^/]+$/.test(k) && g.gatewaySecurityPolicy === current.name)
        .map(([k]) => k);
      if (gateways.length) {
        throw failedPrecondition(`GatewaySecurityPolicy ${current.name} is in use by ${gateways.join(', ')}.`);
      }
    },
  });
}
