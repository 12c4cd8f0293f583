import type { EnvConfig } from './types.js';

// Every name the environment uses, derived from ENV_NAME alone so that a
// later run (or `down` on another machine) finds the same resources again.
// No timestamps, no randomness. The config validator caps ENV_NAME's length
// so that the longest derived name still fits the 63-character limits (and
// the service account's 30).

/** The full set of derived names. Invariant: a pure function of the config. */
export interface ResourceNames {
  network: string;
  clusterSubnet: string;
  privateSubnet: string;
  proxyOnlySubnet: string;
  /** Network tag that cluster nodes carry and the firewall rules target. */
  nodeTag: string;
  firewall: {
    allowInternal: string;
    allowIapSsh: string;
    egressProxy: string;
    egressGoogleApis: string;
    egressInternal: string;
    egressDenyAll: string;
  };
  dnsZone: { googleapis: string; swp: string };
  /** Account id (the part before @); 6-30 characters. */
  serviceAccount: string;
  serviceAccountEmail: string;
  caPool: string;
  rootCa: string;
  certificateIssuanceConfig: string;
  certificate: string;
  tlsInspectionPolicy: string;
  gatewaySecurityPolicy: string;
  gateway: string;
  bootScriptObject: string;
  /** The Dataproc cluster (CLUSTER_NAME); absent when the env names none. */
  cluster?: string;
  /** Secret Manager secrets of the module-signing key (PEM) and certificate (base64 DER). */
  signingKeySecret: string;
  signingCertSecret: string;
  /** The ownership mark value: label `dpgce-env=<this>`. */
  ownerMark: string;
}

/** The object path the node boot script is uploaded to, in BUCKET. */
export const BOOT_SCRIPT_OBJECT = 'custom-image-deps/gce-proxy-setup.sh';

/** Derives all names; explicit env.json overrides win. */
export function deriveNames(config: EnvConfig): ResourceNames {
  const env = config.envName;
  const o = config.overrides;
  const serviceAccount = o.serviceAccount ?? `${env}-sa`;

  return {
    network: o.network ?? `${env}-net`,
    clusterSubnet: config.subnet,
    privateSubnet: o.privateSubnet ?? `${env}-private`,
    proxyOnlySubnet: o.proxyOnlySubnet ?? `${env}-proxy-only`,
    nodeTag: `${env}-node`,
    firewall: {
      allowInternal: `${env}-allow-internal`,
      allowIapSsh: `${env}-allow-iap-ssh`,
      egressProxy: `${env}-egress-proxy`,
      egressGoogleApis: `${env}-egress-google-apis`,
      egressInternal: `${env}-egress-internal`,
      egressDenyAll: `${env}-egress-deny-all`,
    },
    dnsZone: { googleapis: `${env}-googleapis`, swp: `${env}-swp` },
    serviceAccount,
    serviceAccountEmail: `${serviceAccount}@${config.projectId}.iam.gserviceaccount.com`,
    caPool: o.caPool ?? `${env}-swp-pool`,
    rootCa: o.rootCa ?? `${env}-swp-root`,
    certificateIssuanceConfig: `${env}-swp-issuance`,
    certificate: `${env}-swp-cert`,
    tlsInspectionPolicy: `${env}-swp-tls`,
    gatewaySecurityPolicy: o.gatewaySecurityPolicy ?? `${env}-swp-policy`,
    gateway: o.gateway ?? `${env}-swp`,
    bootScriptObject: BOOT_SCRIPT_OBJECT,
    cluster: config.clusterName,
    signingKeySecret: config.cluster.privateSecretName ?? `${env}-efi-db-priv-key`,
    signingCertSecret: config.cluster.publicSecretName ?? `${env}-efi-db-pub-key`,
    ownerMark: env,
  };
}
