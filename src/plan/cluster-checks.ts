import { pairingProblem } from '../config/accelerators.js';
import type { Desired, Observed } from '../resources/types.js';
import { CLUSTER_ADDRESS } from './graph-cluster.js';
import type { Blocker, Change } from './plan.js';

// Refusals before a cluster is created, each saying what to do: what cannot
// boot (Secure Boot with a GPU driver but no custom image or no signing
// keys, F24), what the machine family cannot take, and a cluster subnetwork
// without Private Google Access (F18), which nodes without external
// addresses need for every Google API. Pure: graph, observations and the
// changes already planned in, blockers out.

const lastSegment = (v: unknown): string =>
  String(v ?? '')
    .split('/')
    .pop() ?? '';

function blocker(d: Desired, summary: string, detail: string): Blocker {
  return { address: d.address, name: d.name, summary, detail };
}

/** F24: modules built on the node load under Secure Boot only if a key in the image's db signed them. */
function secureBootBlockers(d: Desired, observed: Map<string, Observed>): Blocker[] {
  const config = d.spec.cluster.config;
  const secureBoot = config.gceClusterConfig.shieldedInstanceConfig?.enableSecureBoot === true;
  const gpu = config.masterConfig?.accelerators?.[0]?.acceleratorTypeUri;
  if (!secureBoot || !gpu) return [];

  const why =
    `SECURE_BOOT is on and ACCELERATOR_TYPE ${gpu} needs the NVIDIA kernel modules, which ` +
    "Secure Boot loads only when they are signed by a key the image's UEFI signature database (db) trusts";
  const steps =
    'Run `dpgce secure-boot keys` (it stores the module-signing key in Secret Manager and ' +
    'writes the db file set), build a custom image whose db holds that certificate, and set ' +
    'CUSTOM_IMAGE_URI to it; the cluster then gets the signing-secret metadata the GPU driver action ' +
    'reads. Or set SECURE_BOOT to false.';
  const found: Blocker[] = [];
  if (!config.masterConfig.imageUri) {
    found.push(
      blocker(
        d,
        `${why}, but CUSTOM_IMAGE_URI is not set (a stock image's db trusts no key of yours)`,
        steps,
      ),
    );
  }
  const missing = ['signing-key', 'signing-cert'].filter(
    (s) => !observed.get(`secret.${s}`)?.exists,
  );
  if (missing.length) {
    const names = missing.map(
      (s) => `${s === 'signing-key' ? d.spec.signing.keySecret : d.spec.signing.certSecret}`,
    );
    found.push(
      blocker(
        d,
        `${why}, but the signing secret(s) ${names.join(' and ')} do not exist in Secret Manager`,
        steps,
      ),
    );
  }
  for (const s of ['signing-key', 'signing-cert']) {
    const o = observed.get(`secret.${s}`);
    if (o?.exists && !o.actual?.version) {
      found.push(
        blocker(
          d,
          `the secret ${lastSegment(o.actual?.name)} has no enabled version to read the ` +
            `signing material from${o.actual?.problem ? ` (${o.actual.problem})` : ''}`,
          "Run `dpgce secure-boot keys` to store the key pair again, or enable the secret's latest version.",
        ),
      );
    }
  }
  return found;
}

/** The documented GPU/machine-family pairings, per instance group. */
function pairingBlockers(d: Desired): Blocker[] {
  const config = d.spec.cluster.config;
  const groups: Array<[string, Record<string, any> | undefined]> = [
    ['MASTER_MACHINE_TYPE', config.masterConfig],
    ['WORKER_MACHINE_TYPE', config.workerConfig],
  ];
  const found: Blocker[] = [];
  for (const [key, group] of groups) {
    const gpu = group?.accelerators?.[0];
    if (!gpu) continue;
    const problem = pairingProblem(
      gpu.acceleratorTypeUri,
      gpu.acceleratorCount,
      group!.machineTypeUri,
    );
    if (problem) {
      found.push(
        blocker(
          d,
          `${key} ${group!.machineTypeUri} cannot take ACCELERATOR_TYPE ${gpu.acceleratorTypeUri}`,
          `${problem}.`,
        ),
      );
    }
  }
  return found;
}

/** F18: internal-IP-only nodes reach Google APIs only through Private Google Access. */
function privateAccessBlockers(
  d: Desired,
  observed: Map<string, Observed>,
  changes: Change[],
): Blocker[] {
  const subnet = observed.get('subnetwork.cluster');
  if (!subnet?.exists || subnet.actual?.privateIpGoogleAccess === true) return [];
  if (changes.some((c) => c.address === 'subnetwork.cluster' && c.action !== 'delete')) return [];
  const name = subnet.actual?.name ?? lastSegment(subnet.foundName);
  const region = lastSegment(subnet.actual?.region);
  return [
    blocker(
      d,
      `subnetwork ${name} has Private Google Access off, and the cluster's nodes have no ` +
        'external IP addresses, so they could not reach Dataproc, Cloud Storage or any Google API',
      `Turn it on (gcloud compute networks subnets update ${name} --region ${region} ` +
        '--enable-private-ip-google-access), or run `dpgce up`, which turns it on for a subnetwork it owns.',
    ),
  ];
}

/**
 * Blockers for creating (or replacing) the cluster. `changes` are the other
 * changes that will run first: a subnetwork update there fixes F18.
 */
export function clusterBlockers(
  graph: Desired[],
  observed: Map<string, Observed>,
  changes: Change[],
): Blocker[] {
  const d = graph.find((x) => x.address === CLUSTER_ADDRESS);
  const change = changes.find((c) => c.address === CLUSTER_ADDRESS);
  if (!d || !change || (change.action !== 'create' && change.action !== 'replace')) return [];
  return [
    ...secureBootBlockers(d, observed),
    ...pairingBlockers(d),
    ...privateAccessBlockers(d, observed, changes),
  ];
}
