import type { Desired, FieldDiff, Observed } from './types.js';

// What differs between the cluster env.json asks for and the one Dataproc
// has. The API fills in much of its own (full URLs for short names, disk
// defaults, dozens of computed properties), so each field is compared in a
// normal form and only the properties dpgce sets are looked at. Almost all
// of a cluster is fixed at creation: only the worker count and the labels
// can be patched; anything else means delete and create (`replace`).

const last = (v: unknown): string | undefined =>
  v == null ? undefined : String(v).split('/').pop();
const path = (v: unknown): string | undefined => {
  if (v == null) return undefined;
  const s = String(v);
  const i = s.indexOf('projects/');
  return i >= 0 ? s.slice(i) : s;
};
const sortedKeys = (o: Record<string, unknown> | undefined): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b)));

/** `2.2-debian12` asks for any 2.2 patch on Debian 12; the API answers `2.2.63-debian12`. */
export function versionMatches(want: string, have: string | undefined): boolean {
  if (!have) return false;
  const split = (v: string) => {
    const [num, os] = v.split('-', 2);
    return { parts: num.split('.'), os };
  };
  const w = split(want);
  const h = split(have);
  return w.parts.every((p, i) => h.parts[i] === p) && (!w.os || w.os === h.os);
}

const gpus = (group: Record<string, any> | undefined): string[] =>
  (group?.accelerators ?? []).map(
    (a: any) => `${last(a.acceleratorTypeUri)} x${a.acceleratorCount ?? 1}`,
  );

/** The metadata the cluster should carry: the spec's plus the resolved signing values. */
export function wantedMetadata(
  d: Desired,
  resolved: Record<string, string> | undefined,
): Record<string, string> {
  return { ...d.spec.cluster.config.gceClusterConfig.metadata, ...(resolved ?? {}) };
}

export function clusterDiff(d: Desired, o: Observed): FieldDiff[] {
  const want = d.spec.cluster;
  const have = o.actual ?? {};
  const wc = want.config;
  const hc = have.config ?? {};
  const wg = wc.gceClusterConfig;
  const hg = hc.gceClusterConfig ?? {};
  const out: FieldDiff[] = [];
  const check = (field: string, to: unknown, from: unknown, immutable = true): void => {
    if (JSON.stringify(to) !== JSON.stringify(from)) out.push({ field, from, to, immutable });
  };

  check('config.configBucket', wc.configBucket, hc.configBucket);
  check('config.tempBucket', wc.tempBucket, hc.tempBucket);
  check('config.gceClusterConfig.subnetworkUri', path(wg.subnetworkUri), path(hg.subnetworkUri));
  check('config.gceClusterConfig.zoneUri', last(wg.zoneUri), last(hg.zoneUri));
  check('config.gceClusterConfig.internalIpOnly', !!wg.internalIpOnly, !!hg.internalIpOnly);
  check('config.gceClusterConfig.serviceAccount', wg.serviceAccount, hg.serviceAccount);
  check('config.gceClusterConfig.tags', [...(wg.tags ?? [])].sort(), [...(hg.tags ?? [])].sort());
  for (const f of ['enableSecureBoot', 'enableVtpm', 'enableIntegrityMonitoring']) {
    check(
      `config.gceClusterConfig.shieldedInstanceConfig.${f}`,
      !!wg.shieldedInstanceConfig?.[f],
      !!hg.shieldedInstanceConfig?.[f],
    );
  }
  check(
    'config.gceClusterConfig.metadata',
    sortedKeys(wantedMetadata(d, have.dpgceSigning)),
    sortedKeys(hg.metadata),
  );
  for (const group of ['masterConfig', 'workerConfig']) {
    if (!wc[group]) continue;
    check(
      `config.${group}.machineTypeUri`,
      last(wc[group].machineTypeUri),
      last(hc[group]?.machineTypeUri),
    );
    check(`config.${group}.accelerators`, gpus(wc[group]), gpus(hc[group]));
    if (wc[group].imageUri)
      check(`config.${group}.imageUri`, path(wc[group].imageUri), path(hc[group]?.imageUri));
  }
  const version = wc.softwareConfig.imageVersion;
  if (version && !versionMatches(version, hc.softwareConfig?.imageVersion)) {
    check('config.softwareConfig.imageVersion', version, hc.softwareConfig?.imageVersion);
  }
  for (const [key, value] of Object.entries(wc.softwareConfig.properties ?? {})) {
    check(`config.softwareConfig.properties.${key}`, value, hc.softwareConfig?.properties?.[key]);
  }
  check(
    'config.initializationActions',
    (wc.initializationActions ?? []).map((a: any) => a.executableFile),
    (hc.initializationActions ?? []).map((a: any) => a.executableFile),
  );
  check(
    'config.workerConfig.numInstances',
    wc.workerConfig?.numInstances ?? 0,
    hc.workerConfig?.numInstances ?? 0,
    false,
  );
  check('labels.dpgce-env', want.labels['dpgce-env'], have.labels?.['dpgce-env'], false);
  return out;
}
