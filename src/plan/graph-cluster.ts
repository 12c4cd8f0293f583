import type { ResourceNames } from '../config/names.js';
import type { EnvConfig } from '../config/types.js';
import type { Desired } from '../resources/types.js';
import { clusterBody, needsSigning, type SigningRef } from './cluster-spec.js';

// The cluster branch of the desired graph: the Dataproc cluster and, when
// its nodes must load signed GPU modules under Secure Boot, the two Secret
// Manager secrets of the module-signing key with the cluster service
// account's access to exactly those two.
//
// The secrets are `observe`d: `dpgce secure-boot keys` makes them (a custom
// image must trust the key before any cluster boots), `up` never does; when
// they are missing the planner stops with what to run (cluster-checks.ts).

type Add = (d: Desired) => void;

export const CLUSTER_ADDRESS = 'dataproc-cluster.main';
export const SECRET_ACCESSOR = 'roles/secretmanager.secretAccessor';

/** Addresses that belong to the cluster branch (what `cluster create` may change). */
export const isClusterBranch = (address: string): boolean =>
  address === CLUSTER_ADDRESS ||
  address.startsWith('secret.') ||
  address.startsWith('secret-iam.') ||
  address === 'service.secretmanager';

function addSecrets(config: EnvConfig, names: ResourceNames, add: Add, have: string[]): SigningRef {
  const p = config.projectId;
  const member = `serviceAccount:${names.serviceAccountEmail}`;
  if (!have.includes('service.secretmanager')) {
    add({
      address: 'service.secretmanager',
      kind: 'service',
      name: `projects/${p}/services/secretmanager.googleapis.com`,
      dependsOn: [],
      spec: { service: 'secretmanager.googleapis.com' },
    });
  }
  const secrets: Array<[string, string, string]> = [
    ['signing-key', names.signingKeySecret, 'private-key'],
    ['signing-cert', names.signingCertSecret, 'certificate'],
  ];
  for (const [logical, secretId, role] of secrets) {
    const name = `projects/${p}/secrets/${secretId}`;
    add({
      address: `secret.${logical}`,
      kind: 'secret',
      name,
      dependsOn: ['service.secretmanager'],
      adoption: 'observe',
      spec: { secretId, role, labels: { 'dpgce-env': names.ownerMark } },
    });
    add({
      address: `secret-iam.${logical}`,
      kind: 'secret-iam',
      name: `${name}/${SECRET_ACCESSOR}/${member}`,
      dependsOn: [`secret.${logical}`, 'service-account.cluster'],
      parent: `secret.${logical}`,
      spec: { secret: name, role: SECRET_ACCESSOR, member },
    });
  }
  return {
    keySecret: names.signingKeySecret,
    certSecret: names.signingCertSecret,
    keyAddress: 'secret.signing-key',
    certAddress: 'secret.signing-cert',
  };
}

/**
 * Adds the cluster branch when env.json names a cluster. `have` is every
 * address already in the graph: the cluster depends on all of them, so `up`
 * creates it last and `down` deletes it first.
 */
export function addCluster(
  config: EnvConfig,
  names: ResourceNames,
  add: Add,
  have: string[],
): void {
  if (!names.cluster) return;
  const signing = needsSigning(config) ? addSecrets(config, names, add, have) : undefined;
  const branch = signing
    ? [
        'service.secretmanager',
        'secret.signing-key',
        'secret.signing-cert',
        'secret-iam.signing-key',
        'secret-iam.signing-cert',
      ]
    : [];
  add({
    address: CLUSTER_ADDRESS,
    kind: 'dataproc-cluster',
    name: `projects/${config.projectId}/regions/${config.region}/clusters/${names.cluster}`,
    dependsOn: [...new Set([...have, ...branch])],
    spec: { region: config.region, cluster: clusterBody(config, names), signing },
  });
}
