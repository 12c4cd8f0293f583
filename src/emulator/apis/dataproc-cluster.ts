import { randomUUID } from 'node:crypto';
import type { EmuContext } from '../router.js';
import type { Resource } from '../store.js';
import { computeLink, computeRef } from './common.js';
import { instanceGroup, invalid, last, resolveImage } from './dataproc-nodes.js';
import { serviceAccountExists } from './iam-policy.js';

// A Dataproc cluster as the service stores it: the create request checked
// the way the API checks it, then filled in the way GET returns it
// (recording dataproc-cluster: full www.googleapis.com URLs for every
// Compute reference, disk defaults, instance names, goog-dataproc-* labels,
// the image a version resolves to). Both gcloud and googleapis requests end
// in the same stored form, whatever short or long names they sent.

const SCOPE_CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const NAME = /^[a-z](?:[-a-z0-9]{0,49}[a-z0-9])?$/;
const ALLOW_ZERO_WORKERS = 'dataproc:dataproc.allow.zero.workers';

/** The cluster name rule, with the text the service sends (jupyterhub-dataprocspawner#72). */
export function checkClusterName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw invalid('Cluster name is required.');
  if (!NAME.test(name))
    throw invalid(
      `Cluster name '${name}' must match pattern (?:[a-z](?:[-a-z0-9]{0,49}[a-z0-9])?)`,
    );
  return name;
}

/** The subnetwork (or network) the nodes use, checked against the Compute store. */
function placement(ctx: EmuContext, project: string, region: string, gce: Resource): Resource {
  if (gce.networkUri && gce.subnetworkUri) {
    throw invalid('Only one of network_uri and subnetwork_uri may be specified.');
  }
  const out: Resource = {};
  if (gce.subnetworkUri) {
    const key = computeRef(
      String(gce.subnetworkUri).includes('/')
        ? gce.subnetworkUri
        : `projects/${project}/regions/${region}/subnetworks/${gce.subnetworkUri}`,
      project,
    );
    const subnet = ctx.store.get(key);
    if (!subnet)
      throw invalid(
        `Subnetwork '${last(key)}' does not exist in region '${region}' of project '${project}'.`,
      );
    if (key.split('/')[3] !== region)
      throw invalid(`Subnetwork '${last(key)}' is not in the cluster's region '${region}'.`);
    if (gce.internalIpOnly === true && subnet.privateIpGoogleAccess !== true) {
      const name = last(key);
      throw invalid(
        `Subnetwork '${name}' does not support Private Google Access which is required for Dataproc ` +
          `clusters when 'internal_ip_only' is set to 'true'. Enable Private Google Access on subnetwork '${name}' ` +
          `or set 'internal_ip_only' to 'false'.`,
      );
    }
    out.subnetworkUri = computeLink(key);
    out.networkUri = computeLink(computeRef(subnet.network, project));
    return out;
  }
  const key = computeRef(gce.networkUri ?? `projects/${project}/global/networks/default`, project);
  if (!ctx.store.get(key))
    throw invalid(`Network '${last(key)}' does not exist in project '${project}'.`);
  out.networkUri = computeLink(key);
  return out;
}

function zoneOf(region: string, zoneUri: unknown): { zone: string; auto: boolean } {
  if (!zoneUri) return { zone: `${region}-f`, auto: true };
  const zone = last(String(zoneUri));
  if (zone.slice(0, zone.lastIndexOf('-')) !== region) {
    throw invalid(`Zone '${zone}' is not in the cluster's region '${region}'.`);
  }
  return { zone, auto: false };
}

function gceConfig(
  ctx: EmuContext,
  project: string,
  region: string,
  zone: string,
  gce: Resource,
): Resource {
  const sa =
    gce.serviceAccount ?? `${ctx.projectNumber(project)}-compute@developer.gserviceaccount.com`;
  if (gce.serviceAccount && !serviceAccountExists(ctx, sa)) {
    throw invalid(`Service account '${sa}' does not exist in project '${project}'.`);
  }
  const out: Resource = {
    ...placement(ctx, project, region, gce),
    serviceAccount: sa,
    serviceAccountScopes: gce.serviceAccountScopes?.length
      ? [...gce.serviceAccountScopes]
      : [SCOPE_CLOUD_PLATFORM],
    zoneUri: computeLink(`projects/${project}/zones/${zone}`),
  };
  // Unset means true from image 2.2 on (GCL GceClusterConfig.internalIpOnly).
  out.internalIpOnly = gce.internalIpOnly ?? true;
  const shielded = gce.shieldedInstanceConfig ?? {
    enableSecureBoot: true,
    enableVtpm: true,
    enableIntegrityMonitoring: true,
  };
  out.shieldedInstanceConfig = Object.fromEntries(
    Object.entries(shielded)
      .filter(([, v]) => v === true)
      .sort(),
  );
  if (gce.tags?.length) out.tags = [...gce.tags];
  if (gce.metadata && Object.keys(gce.metadata).length) out.metadata = { ...gce.metadata };
  return out;
}

function checkBuckets(ctx: EmuContext, config: Resource): void {
  for (const field of ['configBucket', 'tempBucket']) {
    const bucket = config[field];
    if (bucket === undefined) continue;
    if (typeof bucket !== 'string' || bucket.startsWith('gs://') || bucket.includes('/')) {
      throw invalid(`Invalid ${field} '${String(bucket)}': give the bucket name, not a gs:// URI.`);
    }
    if (!ctx.store.get(`b/${bucket}`)) throw invalid(`Bucket '${bucket}' does not exist.`);
  }
}

/** The stored form of a create request, status CREATING; throws the API's 400s. */
export function buildCluster(
  ctx: EmuContext,
  project: string,
  region: string,
  body: Resource,
): Resource {
  const name = checkClusterName(body.clusterName);
  if (body.projectId !== undefined && body.projectId !== project) {
    throw invalid(
      `Project ID '${body.projectId}' in the cluster does not match '${project}' in the request.`,
    );
  }
  const config: Resource = body.config ?? {};
  checkBuckets(ctx, config);
  const gce: Resource = config.gceClusterConfig ?? {};
  const { zone, auto } = zoneOf(region, gce.zoneUri);
  const software: Resource = config.softwareConfig ?? {};
  const custom = config.masterConfig?.imageUri;
  const image = custom
    ? { version: software.imageVersion, imageUri: '' }
    : resolveImage(software.imageVersion);
  const properties: Resource = { ...(software.properties ?? {}) };
  const masters = config.masterConfig?.numInstances ?? 1;
  if (masters !== 1 && masters !== 3) throw invalid('A cluster has 1 or 3 master instances.');
  const workers =
    config.workerConfig?.numInstances ?? (properties[ALLOW_ZERO_WORKERS] === 'true' ? 0 : 2);
  if (workers === 1 || (workers === 0 && properties[ALLOW_ZERO_WORKERS] !== 'true')) {
    throw invalid(
      `Multi-node clusters must have at least 2 primary workers; got ${workers}. For a single-node ` +
        `cluster set the property ${ALLOW_ZERO_WORKERS}=true.`,
    );
  }

  const uuid = randomUUID();
  const group = { project, zone, name, imageUri: image.imageUri };
  const stored: Resource = {
    clusterName: name,
    clusterUuid: uuid,
    config: {
      configBucket:
        config.configBucket ?? `dataproc-staging-${region}-${ctx.projectNumber(project)}-emul`,
      endpointConfig: config.endpointConfig ?? {},
      gceClusterConfig: gceConfig(ctx, project, region, zone, gce),
      masterConfig: instanceGroup(group, config.masterConfig, 'm', masters),
      softwareConfig: {
        ...(image.version ? { imageVersion: image.version } : {}),
        ...(Object.keys(properties).length ? { properties } : {}),
      },
      tempBucket: config.tempBucket ?? `dataproc-temp-${region}-${ctx.projectNumber(project)}-emul`,
    },
    labels: {
      ...(body.labels ?? {}),
      ...(auto ? { 'goog-dataproc-autozone': 'enabled' } : {}),
      'goog-dataproc-cluster-name': name,
      'goog-dataproc-cluster-uuid': uuid,
      'goog-dataproc-drz-resource-uuid': `cluster-${uuid}`,
      'goog-dataproc-location': region,
    },
    projectId: project,
    status: { state: 'CREATING', stateStartTime: new Date().toISOString() },
  };
  if (workers > 0)
    stored.config.workerConfig = instanceGroup(group, config.workerConfig, 'w', workers);
  if (config.initializationActions?.length) {
    stored.config.initializationActions = config.initializationActions.map((a: Resource) => {
      if (typeof a.executableFile !== 'string' || !a.executableFile.startsWith('gs://')) {
        throw invalid(`Initialization action '${String(a.executableFile)}' must be a gs:// URI.`);
      }
      return { executableFile: a.executableFile, executionTimeout: a.executionTimeout ?? '600s' };
    });
  }
  return stored;
}

/** Warnings the create operation carries (recorded wording). */
export function createWarnings(body: Resource): string[] {
  const config = body.config ?? {};
  if (config.softwareConfig?.imageVersion || config.masterConfig?.imageUri) return [];
  return [
    'No image specified. Using the default image version. It is recommended to select a specific image ' +
      'version in production, as the default image version may change at any time.',
  ];
}
