import { ApiError } from './errors.js';
import type { EmuContext } from './router.js';
import { stateOf } from './apis/serviceusage.js';
import { title } from './apis/serviceusage-catalog.js';

// Eventual consistency, as clients of Google Cloud meet it. Off by default;
// the realism tests turn them on to prove that `dpgce up` converges anyway.
//
// - A new service account is not visible everywhere at once: its reads get
//   403 PERMISSION_DENIED, and policies naming it 400 "does not exist", for
//   its first few uses (terraform-provider-google#15042, #19624;
//   magic-modules#8815, #11811, #14447).
// - A service answers 403 SERVICE_DISABLED while disabled and for a while
//   after it was enabled ("If you enabled this API recently, wait a few
//   minutes for the action to propagate"; gemini-cli#1343,
//   terraform-provider-google#16883 for the envelope).
// - An IAM policy is written by someone else between a client's read and its
//   write, so the client's etag is stale (409 ABORTED; 412 in Cloud Storage).
//
// Counts are in requests, not time, so a test is deterministic.

export interface RealismSettings {
  /** Uses of a new service account refused before it is visible (0: off). */
  newServiceAccountDenials: number;
  /**
   * Requests to a newly enabled service refused with SERVICE_DISABLED; any
   * value above 0 also makes disabled services refuse every request.
   */
  serviceEnableLag: number;
  /** Every Nth setIamPolicy that names an etag meets a concurrent writer (0: off). */
  iamConflictEvery: number;
}

export const NO_REALISM: RealismSettings = { newServiceAccountDenials: 0, serviceEnableLag: 0, iamConflictEvery: 0 };

/** What `DPGCE_EMULATOR_REALISM=on` turns on (the realism tests' setting). */
export const ALL_REALISM: RealismSettings = { newServiceAccountDenials: 3, serviceEnableLag: 5, iamConflictEvery: 2 };

/**
 * DPGCE_EMULATOR_REALISM, so that `dpgce up --local` can run with the
 * switches: `on` for ALL_REALISM, or JSON with some of the settings.
 */
export function realismFromEnv(value = process.env.DPGCE_EMULATOR_REALISM): Partial<RealismSettings> {
  if (!value || value === 'off') return {};
  if (value === 'on') return ALL_REALISM;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`DPGCE_EMULATOR_REALISM must be "on", "off" or JSON such as {"serviceEnableLag": 5}, not ${value}`);
  }
  for (const [k, v] of Object.entries(parsed as object)) {
    if (!(k in NO_REALISM) || typeof v !== 'number') {
      throw new Error(`DPGCE_EMULATOR_REALISM: "${k}" is not a realism setting with a number (known: ${Object.keys(NO_REALISM).join(', ')})`);
    }
  }
  return parsed as Partial<RealismSettings>;
}

/** The request as realism sees it. */
export interface RealismRequest {
  api: string;
  method: string;
  path: string;
  params: Record<string, string>;
  json: any;
}

/** Runs a request through the emulator itself (the "someone else" of a conflict). */
export type Dispatch = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;

/**
 * APIs refused while disabled in the project that holds the resources. Not
 * Resource Manager or Service Usage: those are checked against the caller's
 * quota project, which the emulator does not model.
 */
const GATED = new Set(['compute', 'dns', 'iam', 'networkservices', 'networksecurity', 'certificatemanager',
  'privateca', 'dataproc', 'secretmanager', 'networkmanagement']);

const SA_PATH = /^\/v1\/projects\/[^/]+\/serviceAccounts\/([^/:]+)(:getIamPolicy|:setIamPolicy)?$/;

export class Realism {
  private readonly newAccounts = new Map<string, number>();
  private readonly lagging = new Map<string, number>();
  private conditionalWrites = 0;

  constructor(public settings: RealismSettings = { ...NO_REALISM }) {}

  /** Before the handler: throws the refusal, or plays the concurrent writer. */
  async before(req: RealismRequest, ctx: EmuContext, dispatch: Dispatch): Promise<void> {
    this.checkService(req, ctx);
    this.checkNewAccount(req);
    if (this.settings.iamConflictEvery > 0 && isPolicyWrite(req) && etagOf(req) !== undefined) {
      this.conditionalWrites += 1;
      if (this.conditionalWrites % this.settings.iamConflictEvery === 0) await rewrite(req, dispatch);
    }
  }

  /** After a successful handler: remembers new accounts and enabled services. */
  after(req: RealismRequest, status: number, json: any, ctx: EmuContext): void {
    if (status !== 200) return;
    if (req.method === 'POST' && /^\/v1\/projects\/[^/]+\/serviceAccounts$/.test(req.path) && json?.email) {
      if (this.settings.newServiceAccountDenials > 0) this.newAccounts.set(json.email, this.settings.newServiceAccountDenials);
    }
    if (this.settings.serviceEnableLag <= 0 || req.api !== 'serviceusage' || req.method !== 'POST') return;
    const n = numberOf(req.params.project ?? '', ctx);
    const enabled = req.path.endsWith(':enable') ? [req.params.service]
      : req.path.endsWith(':batchEnable') ? (req.json?.serviceIds ?? []) : [];
    for (const s of enabled) this.lagging.set(`${n}/${s}`, this.settings.serviceEnableLag);
  }

  private checkService(req: RealismRequest, ctx: EmuContext): void {
    const project = req.params.project;
    if (this.settings.serviceEnableLag <= 0 || !GATED.has(req.api) || !project || project === '-') return;
    const n = numberOf(project, ctx);
    const service = `${req.api}.googleapis.com`;
    const key = `${n}/${service}`;
    const lag = this.lagging.get(key) ?? 0;
    if (lag > 0) this.lagging.set(key, lag - 1);
    if (lag > 0 || stateOf(ctx, n, service) !== 'ENABLED') throw serviceDisabled(req.api, service, n);
  }

  private checkNewAccount(req: RealismRequest): void {
    const sa = SA_PATH.exec(req.path);
    const named = sa ? [decodeURIComponent(sa[1])] : isPolicyWrite(req) ? membersOf(req) : [];
    for (const email of named) {
      const left = this.newAccounts.get(email) ?? 0;
      if (left <= 0) continue;
      this.newAccounts.set(email, left - 1);
      if (sa) {
        const permission = `iam.serviceAccounts.${sa[2] ? sa[2].slice(1) : 'get'}`;
        throw new ApiError(403, `Permission '${permission}' denied on resource (or it may not exist).`,
          'PERMISSION_DENIED').withDetails([{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'IAM_PERMISSION_DENIED', domain: 'iam.googleapis.com', metadata: { permission } }]);
      }
      throw new ApiError(400, `Service account ${email} does not exist.`, 'INVALID_ARGUMENT');
    }
  }
}

/** 403 SERVICE_DISABLED; compute, DNS and IAM also carry the legacy accessNotConfigured reason. */
function serviceDisabled(api: string, service: string, n: string): ApiError {
  const url = `https://console.developers.google.com/apis/api/${service}/overview?project=${n}`;
  const message = `${title(service)} has not been used in project ${n} before or it is disabled. Enable it by ` +
    `visiting ${url} then retry. If you enabled this API recently, wait a few minutes for the action to ` +
    'propagate to our systems and retry.';
  const legacy = api === 'compute' || api === 'dns' || api === 'iam';
  const err = new LegacyDomainError(403, message, 'PERMISSION_DENIED', legacy ? 'accessNotConfigured' : undefined);
  return err.withDetails([
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED', domain: 'googleapis.com',
      metadata: { service, consumer: `projects/${n}`, containerInfo: n, serviceTitle: title(service), activationUrl: url } },
    { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Google developers console API activation', url }] },
  ]);
}

/** The legacy `errors[]` of a disabled service name the usageLimits domain. */
class LegacyDomainError extends ApiError {
  override envelope(): unknown {
    const env = super.envelope() as { error: { errors?: { domain: string }[] } };
    for (const e of env.error.errors ?? []) e.domain = 'usageLimits';
    return env;
  }
}

const numberOf = (project: string, ctx: EmuContext): string =>
  /^\d+$/.test(project) ? project : ctx.projectNumber(project);

function isPolicyWrite(req: RealismRequest): boolean {
  if (req.method === 'POST' && req.path.endsWith(':setIamPolicy')) return true;
  return req.method === 'PUT' && /^\/storage\/v1\/b\/[^/]+\/iam$/.test(req.path);
}

/** A policy write's etag: inside `policy` for the gRPC-style APIs, top level in Cloud Storage. */
const etagOf = (req: RealismRequest): unknown => (req.path.startsWith('/storage/') ? req.json?.etag : req.json?.policy?.etag);

function membersOf(req: RealismRequest): string[] {
  const policy = req.path.startsWith('/storage/') ? req.json : req.json?.policy;
  return (policy?.bindings ?? []).flatMap((b: any) => b.members ?? [])
    .map((m: string) => /^serviceAccount:(.+)$/.exec(m)?.[1]).filter(Boolean);
}

/** Someone else reads the policy and writes it back unchanged: its etag moves on. */
async function rewrite(req: RealismRequest, dispatch: Dispatch): Promise<void> {
  if (req.path.startsWith('/storage/')) {
    const got = await dispatch('GET', req.path);
    if (got.status === 200) await dispatch('PUT', req.path, got.json);
    return;
  }
  const getPath = req.path.replace(/:setIamPolicy$/, ':getIamPolicy');
  let got = await dispatch('POST', getPath, {});
  if (got.status === 501 || got.status === 404) got = await dispatch('GET', getPath);
  if (got.status === 200) await dispatch('POST', req.path, { policy: got.json });
}
