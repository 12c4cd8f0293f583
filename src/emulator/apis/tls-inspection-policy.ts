import { ApiError, failedPrecondition } from '../errors.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { TLS_INSPECTION_ROLES, certificatesCreateDenied, hasEffectiveRole, serviceAgent } from './privateca-common.js';
import { NAME_PATTERN, byProjectId, invalidArgument, omitDefaults, queryFlag, stripServiceUrl } from './resource-kit.js';
import { V1, registerCollection } from './networksecurity-common.js';

// TLS inspection policies (gcp-api-facts §4.4, §18.2): `caPool` must name an
// existing pool in the policy's location, and the Network Security service
// agent must *effectively* hold roles/privateca.certificateManager on it
// (pool IAM, after the optional propagation delay): otherwise 403
// PERMISSION_DENIED with CAS's denial wording. This is the IAM race dpgce
// retries through (field case F21). Enum zero values are not echoed.

const TLS_VERSIONS = ['TLS_VERSION_UNSPECIFIED', 'TLS_1_0', 'TLS_1_1', 'TLS_1_2', 'TLS_1_3'];
const PROFILES = ['PROFILE_UNSPECIFIED', 'PROFILE_COMPATIBLE', 'PROFILE_MODERN', 'PROFILE_RESTRICTED', 'PROFILE_CUSTOM'];
const FIELDS = ['caPool', 'description', 'excludePublicCaSet', 'trustConfig', 'minTlsVersion', 'tlsFeatureProfile',
  'customTlsFeatures'];

function normalise(req: EmuRequest, ctx: EmuContext, b: Resource): Resource {
  const out: Resource = {};
  for (const f of FIELDS) if (b[f] !== undefined && b[f] !== null) out[f] = structuredClone(b[f]);
  if (typeof out.caPool === 'string') out.caPool = byProjectId(ctx, stripServiceUrl(out.caPool), req.params.project);
  if (out.minTlsVersion === 'TLS_VERSION_UNSPECIFIED') delete out.minTlsVersion;
  if (out.tlsFeatureProfile === 'PROFILE_UNSPECIFIED') delete out.tlsFeatureProfile;
  return omitDefaults(out, ['excludePublicCaSet', 'description', 'customTlsFeatures']);
}

function check(req: EmuRequest, ctx: EmuContext, p: Resource): Resource {
  if (!p.caPool) throw invalidArgument("Field 'ca_pool' is required.");
  const pool = p.caPool as string;
  if (!/^projects\/[^/]+\/locations\/[^/]+\/caPools\/[^/]+$/.test(pool) || !ctx.store.get(pool)) {
    throw invalidArgument(`CA pool '${pool}' was not found.`);
  }
  if (pool.split('/')[3] !== req.params.location) {
    throw invalidArgument(`CA pool '${pool}' must be in the policy's location ${req.params.location}.`);
  }
  const agent = serviceAgent(ctx, req.params.project, 'networksecurity');
  if (!hasEffectiveRole(ctx, pool, agent, TLS_INSPECTION_ROLES)) {
    throw new ApiError(403, `${certificatesCreateDenied(ctx, pool)}: the Network Security service agent ` +
      `${agent.replace('serviceAccount:', '')} needs roles/privateca.certificateManager on the CA pool.`,
      'PERMISSION_DENIED');
  }
  if (p.minTlsVersion !== undefined && !TLS_VERSIONS.includes(p.minTlsVersion)) {
    throw invalidArgument(`Invalid min_tls_version '${p.minTlsVersion}'.`);
  }
  if (p.tlsFeatureProfile !== undefined && !PROFILES.includes(p.tlsFeatureProfile)) {
    throw invalidArgument(`Invalid tls_feature_profile '${p.tlsFeatureProfile}'.`);
  }
  if (p.customTlsFeatures && p.tlsFeatureProfile !== 'PROFILE_CUSTOM') {
    throw invalidArgument('custom_tls_features may be set only with tls_feature_profile PROFILE_CUSTOM.');
  }
  return p;
}

/** Gateway security policies that reference the TLS inspection policy. */
const referencedBy = (ctx: EmuContext, name: string): string[] =>
  ctx.store.entries(`projects/${name.split('/')[1]}/locations/`)
    .filter(([k, v]) => /\/gatewaySecurityPolicies\/[^/]+$/.test(k) && v.tlsInspectionPolicy === name)
    .map(([k]) => k);

export function registerTlsInspectionPolicies(r: Router): void {
  registerCollection(r, {
    parentPath: V1, collection: 'tlsInspectionPolicies', idParam: 'tlsInspectionPolicyId', idPattern: NAME_PATTERN,
    idRule: 'it must match ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$', kind: 'TlsInspectionPolicy',
    build: (req, ctx, _name, b) => check(req, ctx, normalise(req, ctx, b)),
    normalise,
    updatable: FIELDS,
    check: (req, ctx, next) => check(req, ctx, next),
    beforeDelete: (req, ctx, current) => {
      const users = referencedBy(ctx, current.name);
      if (users.length && !queryFlag(req, 'force')) {
        throw failedPrecondition(`TlsInspectionPolicy ${current.name} is in use by ${users.join(', ')}.`);
      }
    },
  });
}
