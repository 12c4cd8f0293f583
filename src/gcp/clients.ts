import type { certificatemanager_v1 } from 'googleapis/build/src/apis/certificatemanager/v1.js';
import type { cloudresourcemanager_v1 } from 'googleapis/build/src/apis/cloudresourcemanager/v1.js';
import type { compute_v1 } from 'googleapis/build/src/apis/compute/v1.js';
import type { dataproc_v1 } from 'googleapis/build/src/apis/dataproc/v1.js';
import type { dns_v1 } from 'googleapis/build/src/apis/dns/v1.js';
import type { iam_v1 } from 'googleapis/build/src/apis/iam/v1.js';
import type { networkmanagement_v1 } from 'googleapis/build/src/apis/networkmanagement/v1.js';
import type { networksecurity_v1 } from 'googleapis/build/src/apis/networksecurity/v1.js';
import type { networkservices_v1 } from 'googleapis/build/src/apis/networkservices/v1.js';
import type { orgpolicy_v2 } from 'googleapis/build/src/apis/orgpolicy/v2.js';
import type { privateca_v1 } from 'googleapis/build/src/apis/privateca/v1.js';
import type { secretmanager_v1 } from 'googleapis/build/src/apis/secretmanager/v1.js';
import type { serviceusage_v1 } from 'googleapis/build/src/apis/serviceusage/v1.js';
import type { serviceusage_v1beta1 } from 'googleapis/build/src/apis/serviceusage/v1beta1.js';
import type { storage_v1 } from 'googleapis/build/src/apis/storage/v1.js';

// The generated googleapis REST clients, loaded one API at a time: the
// package's index pulls in every Google API and costs a second of start-up,
// so each client is imported only when a command first needs it.

export interface ApiClients {
  certificatemanager: certificatemanager_v1.Certificatemanager;
  cloudresourcemanager: cloudresourcemanager_v1.Cloudresourcemanager;
  compute: compute_v1.Compute;
  dataproc: dataproc_v1.Dataproc;
  dns: dns_v1.Dns;
  iam: iam_v1.Iam;
  networkmanagement: networkmanagement_v1.Networkmanagement;
  networksecurity: networksecurity_v1.Networksecurity;
  networkservices: networkservices_v1.Networkservices;
  orgpolicy: orgpolicy_v2.Orgpolicy;
  privateca: privateca_v1.Privateca;
  secretmanager: secretmanager_v1.Secretmanager;
  serviceusage: serviceusage_v1.Serviceusage;
  serviceusageBeta: serviceusage_v1beta1.Serviceusage;
  storage: storage_v1.Storage;
}

export type ApiName = keyof ApiClients;

type Ctor = new (options: object) => unknown;

const LOADERS: Record<ApiName, () => Promise<Ctor>> = {
  certificatemanager: async () =>
    (await import('googleapis/build/src/apis/certificatemanager/v1.js')).certificatemanager_v1.Certificatemanager,
  cloudresourcemanager: async () =>
    (await import('googleapis/build/src/apis/cloudresourcemanager/v1.js')).cloudresourcemanager_v1.Cloudresourcemanager,
  compute: async () => (await import('googleapis/build/src/apis/compute/v1.js')).compute_v1.Compute,
  dataproc: async () => (await import('googleapis/build/src/apis/dataproc/v1.js')).dataproc_v1.Dataproc,
  dns: async () => (await import('googleapis/build/src/apis/dns/v1.js')).dns_v1.Dns,
  iam: async () => (await import('googleapis/build/src/apis/iam/v1.js')).iam_v1.Iam,
  networkmanagement: async () =>
    (await import('googleapis/build/src/apis/networkmanagement/v1.js')).networkmanagement_v1.Networkmanagement,
  networksecurity: async () =>
    (await import('googleapis/build/src/apis/networksecurity/v1.js')).networksecurity_v1.Networksecurity,
  networkservices: async () =>
    (await import('googleapis/build/src/apis/networkservices/v1.js')).networkservices_v1.Networkservices,
  orgpolicy: async () => (await import('googleapis/build/src/apis/orgpolicy/v2.js')).orgpolicy_v2.Orgpolicy,
  privateca: async () => (await import('googleapis/build/src/apis/privateca/v1.js')).privateca_v1.Privateca,
  secretmanager: async () =>
    (await import('googleapis/build/src/apis/secretmanager/v1.js')).secretmanager_v1.Secretmanager,
  serviceusage: async () =>
    (await import('googleapis/build/src/apis/serviceusage/v1.js')).serviceusage_v1.Serviceusage,
  serviceusageBeta: async () =>
    (await import('googleapis/build/src/apis/serviceusage/v1beta1.js')).serviceusage_v1beta1.Serviceusage,
  storage: async () => (await import('googleapis/build/src/apis/storage/v1.js')).storage_v1.Storage,
};

/** Constructs one client; `rootUrl` set means an emulator (origin only is used). */
export async function loadClient<K extends ApiName>(
  name: K,
  options: { auth: unknown; rootUrl?: string },
): Promise<ApiClients[K]> {
  const Client = await LOADERS[name]();
  // Retries are ours (src/gcp/retry.ts): gaxios would retry GETs only, and
  // hide the request count the request log and benchmarks rely on.
  return new Client({ ...options, retry: false, timeout: requestTimeoutMs() }) as ApiClients[K];
}

/**
 * How long one request may take before it is given up on (and, being
 * transient, asked again): DPGCE_REQUEST_TIMEOUT seconds, default 300, more
 * than compute's `/wait`, which holds a request up to two minutes.
 */
export function requestTimeoutMs(): number {
  const s = Number(process.env.DPGCE_REQUEST_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 300_000;
}
