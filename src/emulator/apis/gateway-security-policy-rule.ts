import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { celProblem } from './networksecurity-cel.js';
import { V1, registerCollection } from './networksecurity-common.js';
import { BadRequestError, invalidArgument, omitDefaults } from './resource-kit.js';
import { rulesOf } from './gateway-security-policy.js';

// Gateway security policy rules (gcp-api-facts §4.2, §18.2). The id follows
// the name pattern and the documented minimum of 4 characters (digits are
// accepted: Google's own tests use them). `enabled`, `priority` and
// `tlsInspectionEnabled` are proto3 scalars: absent means false/0, and they
// are not echoed at that value. Matchers get a CEL syntax check (refused the
// way the API refuses bad config: "Config validation failed"); a priority
// already used in the policy and tlsInspectionEnabled on a policy without a
// TLS inspection policy are refused (both unconfirmed; docs/emulator.md).

const RULE_ID = /^[a-z][a-z0-9-]{2,61}[a-z0-9]$/;
const PROFILES = ['ALLOW', 'DENY'];
const FIELDS = ['enabled', 'priority', 'basicProfile', 'sessionMatcher', 'applicationMatcher', 'tlsInspectionEnabled',
  'description'];

const policyOf = (req: EmuRequest): string =>
  `projects/${req.params.project}/locations/${req.params.location}/gatewaySecurityPolicies/${req.params.policy}`;

function normalise(_req: EmuRequest, _ctx: EmuContext, b: Resource): Resource {
  const out: Resource = {};
  for (const f of FIELDS) if (b[f] !== undefined && b[f] !== null) out[f] = b[f];
  if (typeof out.priority === 'string' && /^\d+$/.test(out.priority)) out.priority = Number(out.priority);
  return omitDefaults(out, ['enabled', 'priority', 'tlsInspectionEnabled', 'applicationMatcher', 'description']);
}

function check(req: EmuRequest, ctx: EmuContext, name: string, rule: Resource): Resource {
  const priority = rule.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > 2147483647) {
    throw invalidArgument('priority must be an integer between 0 and 2147483647.');
  }
  for (const f of ['enabled', 'tlsInspectionEnabled']) {
    if (rule[f] !== undefined && typeof rule[f] !== 'boolean') throw invalidArgument(`${f} must be a boolean.`);
  }
  if (!PROFILES.includes(rule.basicProfile)) {
    throw invalidArgument(`Field 'basic_profile' is required and must be ALLOW or DENY, not '${rule.basicProfile ?? ''}'.`);
  }
  if (!rule.sessionMatcher) throw invalidArgument("Field 'session_matcher' is required.");
  for (const [field, json] of [['session_matcher', 'sessionMatcher'], ['application_matcher', 'applicationMatcher']]) {
    if (rule[json] === undefined) continue;
    const problem = celProblem(rule[json]);
    // This API's config validation: code 3, "Config validation failed", the
    // reason in a BadRequest field violation (facts §18.2).
    if (problem) {
      throw new BadRequestError('Config validation failed',
        [{ field: `resource.${field}`, description: `invalid CEL expression: ${problem}` }]);
    }
  }
  const policy = ctx.store.get(policyOf(req));
  if (rule.tlsInspectionEnabled && !policy?.tlsInspectionPolicy) {
    throw invalidArgument('tls_inspection_enabled can only be true if the parent GatewaySecurityPolicy ' +
      `${policyOf(req)} references a TlsInspectionPolicy.`);
  }
  const clash = rulesOf(ctx, policyOf(req)).find((x) => x.name !== name && (x.priority ?? 0) === priority);
  if (clash) throw invalidArgument(`Priority ${priority} is already used by rule ${clash.name} in this policy.`);
  return rule;
}

export function registerGatewaySecurityPolicyRules(r: Router): void {
  registerCollection(r, {
    parentPath: `${V1}/gatewaySecurityPolicies/{policy}`, collection: 'rules', idParam: 'gatewaySecurityPolicyRuleId',
    idPattern: RULE_ID, idRule: 'it must be 4-63 characters matching ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$',
    kind: 'GatewaySecurityPolicyRule',
    build: (req, ctx, name, b) => check(req, ctx, name, normalise(req, ctx, b)),
    normalise,
    updatable: FIELDS,
    check: (req, ctx, next) => check(req, ctx, next.name, next),
  });
}
