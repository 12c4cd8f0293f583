import { CLUSTER_ADDRESS } from '../plan/graph-cluster.js';
import { wantedMetadata } from '../resources/dataproc-diff.js';
import { HANDLERS } from '../resources/index.js';
import { fail, pass, warn, type CheckGroup, type CheckResult, type DoctorContext } from './check.js';
import type { Desired } from '../resources/types.js';
import { desired, found, sameResource, shortName } from './observed.js';

// The Dataproc cluster as it was created, against what env.json implies:
// the metadata the boot script reads, Shielded VM options, internal IPs
// only, the cluster subnet. Only when env.json names a cluster
// (CLUSTER_NAME). Nearly all of a cluster is fixed at creation, so most
// fixes recreate it.

const RECREATE = 'these are fixed at creation: `dpgce up` replaces the cluster (deletes it and creates it as env.json says)';

/** A value for evidence: long ones (Java options) cut short. */
const brief = (v: unknown): string => {
  const s = v === undefined ? '(absent)' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/**
 * Compute Engine runs both `startup-script` and `startup-script-url` when a
 * VM has them, in an order that depends on the guest agent (F14), so a key
 * env.json does not ask for next to ours conflicts with the boot script.
 */
const STARTUP_KEYS = ['startup-script', 'startup-script-url'];

/** Startup keys the cluster carries that env.json does not ask for. */
const conflicting = (want: Record<string, string>, have: Record<string, string>): string[] =>
  STARTUP_KEYS.filter((k) => k in have && !(k in want));

function metadataCheck(want: Record<string, string>, have: Record<string, string>): CheckResult {
  const NAME = 'cluster.metadata';
  const wrong = Object.keys(want).sort().filter((k) => have[k] !== want[k]);
  const extra = conflicting(want, have);
  if (!wrong.length && !extra.length) {
    return pass(NAME, `${Object.keys(want).length} metadata keys as env.json implies: ${Object.keys(want).sort().join(', ')}`);
  }
  return fail(NAME, [
    ...wrong.map((k) => `${k} is ${brief(have[k])}, env.json implies ${brief(want[k])}`),
    ...extra.map((k) => `${k} is ${brief(have[k])} next to startup-script-url ${brief(want['startup-script-url'])}: ` +
      'the VM runs both startup scripts, in an order the guest agent decides (F14)'),
  ].join('; '), RECREATE);
}

/** Fields other checks of the group already judge, so one cause gives one failure. */
const JUDGED = /^config\.gceClusterConfig\.(subnetworkUri|internalIpOnly|shieldedInstanceConfig\.)/;

/**
 * What `plan` compares (the handler's own diff), field by field: any
 * difference is a `-/+` (or an in-place update) on the next `up`. Metadata
 * is split per key; the keys cluster.metadata judges are left to it.
 */
function driftCheck(dc: DoctorContext, d: Desired, actual: Record<string, any>): CheckResult {
  const NAME = 'cluster.drift';
  const observed = dc.p.ctx.observed.get(d.address)!;
  const want = wantedMetadata(d, actual.dpgceSigning);
  const have: Record<string, string> = actual.config?.gceClusterConfig?.metadata ?? {};
  const lines: Array<{ text: string; immutable: boolean }> = [];
  for (const x of HANDLERS[d.kind].diff(d, observed)) {
    if (JUDGED.test(x.field)) continue;
    if (x.field !== 'config.gceClusterConfig.metadata') {
      lines.push({ text: `${x.field} is ${brief(x.from)}, env.json implies ${brief(x.to)}`, immutable: x.immutable });
      continue;
    }
    const judged = new Set([...Object.keys(want), ...conflicting(want, have)]);
    for (const k of Object.keys(have).sort().filter((key) => !judged.has(key))) {
      lines.push({ text: `config.gceClusterConfig.metadata.${k} is ${brief(have[k])}, env.json implies (absent)`, immutable: true });
    }
  }
  if (!lines.length) {
    return pass(NAME, `cluster ${shortName(d.name)} matches env.json in every field \`plan\` compares ` +
      '(buckets, zone, service account, tags, metadata, machine types, accelerators, image, properties, ' +
      'initialization actions, workers, labels)');
  }
  const evidence = `\`plan\` shows ${lines.some((l) => l.immutable) ? '-/+' : '~'} ${d.address}: ` +
    lines.map((l) => l.text).join('; ');
  return fail(NAME, evidence, lines.some((l) => l.immutable)
    ? `${RECREATE}; the cluster's jobs and local data are lost`
    : 'run `dpgce up`: it updates the worker count and labels in place');
}

function shieldedCheck(want: Record<string, boolean>, have: Record<string, unknown>): CheckResult {
  const NAME = 'cluster.shielded-vm';
  const wrong = Object.keys(want).filter((k) => !!have[k] !== want[k]);
  const all = Object.keys(want).map((k) => `${k} ${!!have[k]}`).join(', ');
  if (!wrong.length) return pass(NAME, `shieldedInstanceConfig: ${all}`);
  return fail(NAME, `shieldedInstanceConfig: ${wrong.map((k) => `${k} is ${!!have[k]}, env.json asks ${want[k]}`).join('; ')}` +
    (wrong.includes('enableSecureBoot') ? ' (SECURE_BOOT)' : ''), RECREATE);
}

export const cluster: CheckGroup = {
  name: 'cluster',
  async run(dc: DoctorContext) {
    const d = desired(dc, CLUSTER_ADDRESS);
    if (!d) return [];
    const actual = found(dc, d.address);
    if (!actual) {
      return [warn('cluster.created', `CLUSTER_NAME ${shortName(d.name)} is configured but cluster ${d.name} does not exist yet`,
        'run `dpgce cluster create` (or `dpgce up`, which creates it after the foundation)')];
    }
    const state = actual.status?.state ?? 'STATE_UNSPECIFIED';
    const created = state === 'ERROR'
      ? fail('cluster.created', `cluster ${shortName(d.name)} is in state ERROR: ${actual.status?.detail ?? 'no detail'}`,
        'read the cluster\'s output in the staging bucket (gs://BUCKET/google-cloud-dataproc-metainfo/...), then `dpgce up` replaces it')
      : pass('cluster.created', `cluster ${shortName(d.name)} is ${state}`);

    const wg = d.spec.cluster.config.gceClusterConfig;
    const hg = actual.config?.gceClusterConfig ?? {};
    const internal = hg.internalIpOnly === true
      ? pass('cluster.internal-ip-only', 'gceClusterConfig.internalIpOnly is true: nodes get no external IP')
      : fail('cluster.internal-ip-only', `gceClusterConfig.internalIpOnly is ${brief(hg.internalIpOnly)}: nodes get external IPs and bypass the proxy`, RECREATE);
    const subnet = sameResource(hg.subnetworkUri, wg.subnetworkUri)
      ? pass('cluster.subnetwork', `nodes are on ${shortName(hg.subnetworkUri)}, the cluster subnet (SUBNET)`)
      : fail('cluster.subnetwork', `nodes are on ${hg.subnetworkUri ?? hg.networkUri ?? '(the default network)'}, not SUBNET ` +
        `${dc.p.names.clusterSubnet}: the egress rules and Private Google Access are not theirs`, RECREATE);
    return [created, metadataCheck(wantedMetadata(d, actual.dpgceSigning), hg.metadata ?? {}),
      shieldedCheck(wg.shieldedInstanceConfig, hg.shieldedInstanceConfig ?? {}), internal, subnet, driftCheck(dc, d, actual)];
  },
};
