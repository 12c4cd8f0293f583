import type { EnvConfig } from '../config/types.js';
import type { ResourceNames } from '../config/names.js';
import type { Desired } from '../resources/types.js';
import type { Assets } from './graph.js';

// Two branches of the desired graph, kept apart from graph.ts so that each
// file reads in one sitting: Cloud Storage (buckets, grants, the objects
// nodes read at boot) and the certificate chain behind TLS inspection.

type Add = (d: Desired) => void;

export function addBuckets(
  config: EnvConfig, names: ResourceNames, add: Add, member: string,
  labels: Record<string, string>, assets: Assets,
): void {
  const cert = config.proxyCertGcsPath;
  const buckets: [string, string, string, 'reuse' | undefined][] = [
    ['staging', config.bucket, 'roles/storage.objectAdmin', undefined],
    ['temp', config.tempBucket, 'roles/storage.objectAdmin', undefined],
  ];
  // The proxy CA's bucket is used as found when it exists (not owned).
  if (cert.bucket !== config.bucket && cert.bucket !== config.tempBucket) {
    buckets.push(['proxy-cert', cert.bucket, 'roles/storage.objectViewer', 'reuse']);
  }
  const seen = new Set<string>();
  for (const [logical, bucket, role, adoption] of buckets) {
    if (seen.has(bucket)) continue;
    seen.add(bucket);
    add({ address: `bucket.${logical}`, kind: 'bucket', name: `projects/_/buckets/${bucket}`,
      dependsOn: ['service.storage'], adoption,
      spec: { name: bucket, location: config.region.toUpperCase(), storageClass: 'STANDARD', labels,
        iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' } } });
    add({ address: `bucket-iam.${logical}`, kind: 'bucket-iam', name: `projects/_/buckets/${bucket}/${role}/${member}`,
      dependsOn: [`bucket.${logical}`, 'service-account.cluster'], parent: `bucket.${logical}`, spec: { bucket, role, member } });
  }
  const bucketOf = (b: string): string =>
    b === config.bucket ? 'bucket.staging' : b === config.tempBucket ? 'bucket.temp' : 'bucket.proxy-cert';

  add({ address: 'object.boot-script', kind: 'object',
    name: `projects/_/buckets/${config.bucket}/objects/${names.bootScriptObject}`, dependsOn: ['bucket.staging'], parent: 'bucket.staging',
    spec: { bucket: config.bucket, object: names.bootScriptObject, contentType: 'text/x-shellscript',
      content: assets.bootScript } });
  add({ address: 'object.proxy-ca', kind: 'object', name: `projects/_/buckets/${cert.bucket}/objects/${cert.object}`,
    dependsOn: [bucketOf(cert.bucket), 'certificate-authority.root'], parent: bucketOf(cert.bucket),
    spec: { bucket: cert.bucket, object: cert.object, contentType: 'application/x-pem-file', contentFrom: 'root-ca' } });
}

export function addCertificates(config: EnvConfig, names: ResourceNames, add: Add, labels: Record<string, string>): void {
  const loc = `projects/${config.projectId}/locations/${config.region}`;
  const pool = `${loc}/caPools/${names.caPool}`;
  const env = names.ownerMark;

  add({ address: 'ca-pool.swp', kind: 'ca-pool', name: pool, dependsOn: ['service.privateca'],
    spec: { tier: 'DEVOPS', labels: { ...labels, 'dpgce-role': 'swp' },
      publishingOptions: { publishCaCert: false, publishCrl: false } } });
  add({ address: 'certificate-authority.root', kind: 'certificate-authority',
    name: `${pool}/certificateAuthorities/${names.rootCa}`, dependsOn: ['ca-pool.swp'], parent: 'ca-pool.swp',
    spec: { type: 'SELF_SIGNED', lifetime: '315360000s', labels, keySpec: { algorithm: 'EC_P256_SHA256' },
      config: {
        subjectConfig: { subject: { commonName: `${env} Secure Web Proxy TLS inspection root`, organization: 'dpgce' } },
        x509Config: {
          caOptions: { isCa: true },
          keyUsage: { baseKeyUsage: { certSign: true, crlSign: true }, extendedKeyUsage: { serverAuth: true } },
        },
      } } });
  // The service agents that use the pool: the proxy signs with it
  // (certificateManager role), Certificate Manager requests the gateway's
  // certificate from it (certificateRequester).
  for (const [agent, role] of [['networksecurity', 'roles/privateca.certificateManager'],
    ['certificatemanager', 'roles/privateca.certificateRequester']]) {
    add({ address: `ca-pool-iam.${agent}`, kind: 'ca-pool-iam', name: `${pool}/${role}/gcp-sa-${agent}`,
      dependsOn: ['ca-pool.swp', `service.${agent}`], parent: 'ca-pool.swp', spec: { pool, role, agent } });
  }
  add({ address: 'certificate-issuance-config.swp', kind: 'certificate-issuance-config',
    name: `${loc}/certificateIssuanceConfigs/${names.certificateIssuanceConfig}`,
    dependsOn: ['ca-pool-iam.certificatemanager', 'certificate-authority.root'],
    spec: { certificateAuthorityConfig: { certificateAuthorityServiceConfig: { caPool: pool } },
      lifetime: '2592000s', rotationWindowPercentage: 66, keyAlgorithm: 'ECDSA_P256', labels,
      description: `issues the Secure Web Proxy certificate [dpgce-env=${env}]` } });
  add({ address: 'certificate.swp', kind: 'certificate', name: `${loc}/certificates/${names.certificate}`,
    dependsOn: ['certificate-issuance-config.swp'],
    spec: { managed: { domains: [config.swpHostname],
      issuanceConfig: `${loc}/certificateIssuanceConfigs/${names.certificateIssuanceConfig}` }, labels,
      description: `Secure Web Proxy certificate for ${config.swpHostname} [dpgce-env=${env}]` } });
  add({ address: 'tls-inspection-policy.swp', kind: 'tls-inspection-policy',
    name: `${loc}/tlsInspectionPolicies/${names.tlsInspectionPolicy}`,
    dependsOn: ['ca-pool-iam.networksecurity', 'certificate-authority.root', 'service.networksecurity'],
    spec: { caPool: pool, description: `TLS inspection with the dpgce root CA [dpgce-env=${env}]` } });
}
