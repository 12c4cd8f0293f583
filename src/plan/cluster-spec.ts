import type { ResourceNames } from '../config/names.js';
import type { EnvConfig } from '../config/types.js';
import { javaNonProxyHosts, renderNoProxyAttribute } from '../node/metadata.js';
import { presetHosts } from '../policy/presets.js';

// The Dataproc `clusters.create` request body, from env.json alone. Pure:
// the two signing values that only Secret Manager knows (the certificate's
// modulus fingerprint and the secret version) are filled in by the handler
// at create time, from what the read phase found (see `signing`).

const COMPUTE = 'https://www.googleapis.com/compute/v1/';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** gcloud's --single-node sets this property (api_lib/dataproc/constants.py). */
export const ALLOW_ZERO_WORKERS = 'dataproc:dataproc.allow.zero.workers';
/** How long the GPU driver action may run; building and signing modules is slow. */
const INIT_ACTION_TIMEOUT = '3600s';

/** Where the handler finds the signing values the driver action reads. */
export interface SigningRef {
  keySecret: string;
  certSecret: string;
  /** Addresses of the two secrets in the graph. */
  keyAddress: string;
  certAddress: string;
}

/** True when nodes need module-signing keys: Secure Boot on and a GPU driver to load. */
export const needsSigning = (config: EnvConfig): boolean =>
  config.cluster.secureBoot && !!config.acceleratorType;

/** The `no-proxy` metadata value: the user's entries, then the VPC ranges. */
export function noProxyAttribute(config: EnvConfig): string {
  return renderNoProxyAttribute([...config.cluster.noProxy, config.range, config.privateRange])
    .value;
}

/** An allowlisted URL for the boot script's self-test: PROXY_TEST_URL, else one of the presets'. */
export function proxyTestUrl(config: EnvConfig): string | undefined {
  if (config.cluster.proxyTestUrl) return config.cluster.proxyTestUrl;
  const hosts = [...presetHosts(config.policyPresets).map((h) => h.host), ...config.allowedHosts];
  if (hosts.includes('pypi.org')) return 'https://pypi.org/simple/pip/';
  const exact = hosts.find((h) => !h.startsWith('*'));
  return exact ? `https://${exact}/` : undefined;
}

/**
 * F04: JVMs ignore proxy environment variables, so Spark and Hadoop get the
 * proxy as system properties, with the bypass list in its Java form.
 * `hadoop-env:` values land in hadoop-env.sh inside double quotes (Google's
 * Tez instructions append to ${HADOOP_CLASSPATH} that way), so appending
 * keeps whatever options the image already sets.
 */
export function jvmProxyProperties(config: EnvConfig): Record<string, string> {
  const host = config.swpHostname;
  const port = String(config.swpPort);
  const options = [
    `-Dhttp.proxyHost=${host}`,
    `-Dhttp.proxyPort=${port}`,
    `-Dhttps.proxyHost=${host}`,
    `-Dhttps.proxyPort=${port}`,
    `-Dhttp.nonProxyHosts=${javaNonProxyHosts(noProxyAttribute(config))}`,
  ].join(' ');
  return {
    'spark:spark.driver.extraJavaOptions': options,
    'spark:spark.executor.extraJavaOptions': options,
    'spark:spark.yarn.am.extraJavaOptions': options,
    'hadoop-env:HADOOP_OPTS': `\${HADOOP_OPTS} ${options}`,
  };
}

/** Instance metadata every node reads; F14: exactly one startup key. */
export function clusterMetadata(config: EnvConfig, names: ResourceNames): Record<string, string> {
  const proxy = `${config.swpHostname}:${config.swpPort}`;
  const cert = config.proxyCertGcsPath;
  const metadata: Record<string, string> = {
    'startup-script-url': `gs://${config.bucket}/${names.bootScriptObject}`,
    'http-proxy': proxy,
    'https-proxy': proxy,
    'no-proxy': noProxyAttribute(config),
    'http-proxy-pem-uri': `gs://${cert.bucket}/${cert.object}`,
  };
  const testUrl = proxyTestUrl(config);
  if (testUrl) metadata['proxy-test-url'] = testUrl;
  if (!config.acceleratorType) return metadata;

  const c = config.cluster;
  metadata['gpu-driver-provider'] = c.gpuDriverProvider;
  if (c.cudaVersion) metadata['cuda-version'] = c.cudaVersion;
  if (c.gpuDriverVersion) metadata['gpu-driver-version'] = c.gpuDriverVersion;
  if (needsSigning(config)) {
    metadata.private_secret_name = names.signingKeySecret;
    metadata.public_secret_name = names.signingCertSecret;
    metadata.secret_project = config.projectId;
  }
  return metadata;
}

function instanceGroup(config: EnvConfig, machineType: string, count: number): Record<string, any> {
  const group: Record<string, any> = { numInstances: count, machineTypeUri: machineType };
  if (config.customImageUri) group.imageUri = imageUrl(config.customImageUri);
  if (config.acceleratorType) {
    group.accelerators = [
      {
        acceleratorTypeUri: config.acceleratorType,
        acceleratorCount: config.cluster.acceleratorCount,
      },
    ];
  }
  return group;
}

/** A custom image as the full URL the API returns. */
export const imageUrl = (uri: string): string =>
  uri.startsWith('https://') ? uri : `${COMPUTE}${uri}`;

/** The whole clusters.create body (without the two resolved signing values). */
export function clusterBody(config: EnvConfig, names: ResourceNames): Record<string, any> {
  const p = config.projectId;
  const c = config.cluster;
  const properties: Record<string, string> = jvmProxyProperties(config);
  if (c.singleNode) properties[ALLOW_ZERO_WORKERS] = 'true';
  const software: Record<string, any> = { properties };
  if (config.imageVersion && !config.customImageUri) software.imageVersion = config.imageVersion;

  const body: Record<string, any> = {
    projectId: p,
    clusterName: names.cluster,
    labels: { 'dpgce-env': names.ownerMark },
    config: {
      configBucket: config.bucket,
      tempBucket: config.tempBucket,
      gceClusterConfig: {
        zoneUri: `${COMPUTE}projects/${p}/zones/${config.zone}`,
        subnetworkUri: `${COMPUTE}projects/${p}/regions/${config.region}/subnetworks/${names.clusterSubnet}`,
        internalIpOnly: true,
        tags: [names.nodeTag],
        serviceAccount: names.serviceAccountEmail,
        serviceAccountScopes: [CLOUD_PLATFORM_SCOPE],
        shieldedInstanceConfig: {
          enableSecureBoot: c.secureBoot,
          enableVtpm: true,
          enableIntegrityMonitoring: true,
        },
        metadata: clusterMetadata(config, names),
      },
      masterConfig: instanceGroup(config, c.masterMachineType, 1),
      softwareConfig: software,
    },
  };
  // A single-node cluster has no worker group to shape.
  if (!c.singleNode)
    body.config.workerConfig = instanceGroup(config, c.workerMachineType, c.numWorkers);
  if (c.gpuInitActionUri && config.acceleratorType) {
    body.config.initializationActions = [
      { executableFile: c.gpuInitActionUri, executionTimeout: INIT_ACTION_TIMEOUT },
    ];
  }
  return body;
}
