import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { javaNonProxyHosts } from '../../src/node/metadata.js';
import { planDown } from '../../src/plan/plan.js';
import type { Desired, Observed } from '../../src/resources/types.js';
import { builtState, exampleGraph } from '../helpers/example.js';
import { gpuGraph } from '../helpers/gpu.js';

// The cluster branch of the desired graph: what the clusters.create body
// holds (F04, F14), when the branch exists at all, and the order `down`
// takes it apart in.

const cluster = (graph: Desired[]) => graph.find((d) => d.address === 'dataproc-cluster.main')!;

describe('the cluster in the desired graph', () => {
  it('is there when env.json names a cluster, last, depending on everything else', () => {
    const graph = gpuGraph();
    const d = cluster(graph);
    assert.equal(graph.at(-1), d);
    assert.equal(d.name, 'projects/dpgce-demo-project/regions/us-central1/clusters/gpu-cluster');
    assert.deepEqual(
      new Set(d.dependsOn),
      new Set(graph.filter((x) => x !== d).map((x) => x.address)),
    );
  });

  it('is absent without CLUSTER_NAME and with --no-create-cluster', () => {
    assert.equal(
      exampleGraph().some((d) => d.kind === 'dataproc-cluster' || d.kind === 'secret'),
      false,
    );
    const foundation = gpuGraph({}, { cluster: false });
    assert.equal(
      foundation.some((d) => d.kind === 'dataproc-cluster' || d.kind === 'secret'),
      false,
    );
  });

  it('asks for the subnet, no external IPs, the node tag, the service account and Shielded VM', () => {
    const body = cluster(gpuGraph()).spec.cluster;
    const g = body.config.gceClusterConfig;
    assert.match(
      g.subnetworkUri,
      /\/projects\/dpgce-demo-project\/regions\/us-central1\/subnetworks\/gpu-subnet$/,
    );
    assert.equal(g.internalIpOnly, true);
    assert.deepEqual(g.tags, ['gpu-cluster-node']);
    assert.equal(g.serviceAccount, 'gpu-cluster-sa@dpgce-demo-project.iam.gserviceaccount.com');
    assert.deepEqual(g.shieldedInstanceConfig, {
      enableSecureBoot: true,
      enableVtpm: true,
      enableIntegrityMonitoring: true,
    });
    assert.equal(body.config.configBucket, 'dpgce-gpu-staging', 'a bucket name, not a gs:// URI');
    assert.equal(body.config.tempBucket, 'dpgce-gpu-temp');
    assert.equal(
      body.config.softwareConfig.imageVersion,
      undefined,
      'a custom image carries its version',
    );
    assert.equal(
      body.config.masterConfig.imageUri,
      'https://www.googleapis.com/compute/v1/projects/dpgce-demo-project/global/images/dataproc-2-2-deb12-secure-boot-gpu',
    );
    assert.deepEqual(body.config.workerConfig.accelerators, [
      { acceleratorTypeUri: 'nvidia-tesla-t4', acceleratorCount: 1 },
    ]);
  });

  it('F14: gives the nodes exactly one startup key, the uploaded boot script', () => {
    const body = cluster(gpuGraph()).spec.cluster;
    const metadata = body.config.gceClusterConfig.metadata;
    const startup = Object.keys(metadata).filter((k) =>
      /^(startup-script|windows-startup)/.test(k),
    );
    assert.deepEqual(startup, ['startup-script-url']);
    assert.equal(
      metadata['startup-script-url'],
      'gs://dpgce-gpu-staging/custom-image-deps/gce-proxy-setup.sh',
    );
    const actions = (body.config.initializationActions ?? []).map((a: any) => a.executableFile);
    assert.ok(
      !actions.some((a: string) => a.includes('gce-proxy-setup')),
      'the boot script is not also an init action',
    );
  });

  it('renders no-proxy from SWP_NO_PROXY and the VPC ranges, and the proxy and its CA', () => {
    const m = cluster(gpuGraph()).spec.cluster.config.gceClusterConfig.metadata;
    assert.equal(m['no-proxy'], '.corp.example,10.10.0.0/24,10.11.0.0/24');
    assert.equal(m['http-proxy'], 'swp.your.domain.com:3128');
    assert.equal(m['https-proxy'], 'swp.your.domain.com:3128');
    assert.equal(m['http-proxy-pem-uri'], 'gs://dpgce-gpu-proxy-cert/proxy.cer');
    assert.equal(
      m['proxy-test-url'],
      'https://pypi.org/simple/pip/',
      'pypi.org is in the dataproc-gpu preset',
    );
    assert.deepEqual(
      [m['gpu-driver-provider'], m['cuda-version'], m['gpu-driver-version']],
      ['NVIDIA', '12.4.1', '550.54.15'],
    );
    assert.deepEqual(
      [m.private_secret_name, m.public_secret_name, m.secret_project],
      ['gpu-cluster-efi-db-priv-key', 'gpu-cluster-efi-db-pub-key', 'dpgce-demo-project'],
    );
  });

  it('F04: gives JVMs the proxy and the Java form of the bypass list as cluster properties', () => {
    const properties = cluster(gpuGraph()).spec.cluster.config.softwareConfig.properties;
    const javaForm =
      'localhost|127.0.0.1|[::1]|169.254.169.254|metadata.google.internal|*.internal|' +
      '*.googleapis.com|*.corp.example|10.10.0.*|10.11.0.*';
    assert.equal(javaNonProxyHosts('.corp.example,10.10.0.0/24,10.11.0.0/24'), javaForm);
    const options =
      '-Dhttp.proxyHost=swp.your.domain.com -Dhttp.proxyPort=3128 ' +
      '-Dhttps.proxyHost=swp.your.domain.com -Dhttps.proxyPort=3128 ' +
      `-Dhttp.nonProxyHosts=${javaForm}`;
    assert.equal(properties['spark:spark.driver.extraJavaOptions'], options);
    assert.equal(properties['spark:spark.executor.extraJavaOptions'], options);
    assert.equal(properties['spark:spark.yarn.am.extraJavaOptions'], options);
    assert.equal(properties['hadoop-env:HADOOP_OPTS'], `\${HADOOP_OPTS} ${options}`);
    assert.ok(!Object.keys(properties).some((k) => k.includes('JAVA_TOOL_OPTIONS')));
  });

  it('has signing secrets only when Secure Boot must load a GPU driver', () => {
    const kinds = (g: Desired[]) =>
      g.filter((d) => d.kind === 'secret' || d.kind === 'secret-iam').map((d) => d.address);
    assert.deepEqual(kinds(gpuGraph()), [
      'secret.signing-key',
      'secret-iam.signing-key',
      'secret.signing-cert',
      'secret-iam.signing-cert',
    ]);
    assert.deepEqual(kinds(gpuGraph({ SECURE_BOOT: false })), []);
    assert.deepEqual(
      kinds(
        gpuGraph({
          ACCELERATOR_TYPE: undefined,
          ACCELERATOR_COUNT: undefined,
          CUDA_VERSION: undefined,
          GPU_DRIVER_VERSION: undefined,
          GPU_DRIVER_PROVIDER: undefined,
          GPU_INIT_ACTION_URI: undefined,
        }),
      ),
      [],
    );
    const m = cluster(gpuGraph({ SECURE_BOOT: false })).spec.cluster.config.gceClusterConfig
      .metadata;
    assert.equal(m.private_secret_name, undefined);
  });

  it('makes a single-node cluster the way gcloud --single-node does', () => {
    const body = cluster(gpuGraph({ SINGLE_NODE: true, NUM_WORKERS: undefined })).spec.cluster;
    assert.equal(body.config.workerConfig, undefined);
    assert.equal(
      body.config.softwareConfig.properties['dataproc:dataproc.allow.zero.workers'],
      'true',
    );
  });
});

describe('down with a cluster', () => {
  const graph = gpuGraph();

  it('deletes the cluster first, and signing secrets only when they are ours', () => {
    const state = builtState(graph);
    let plan = planDown(graph, state);
    assert.equal(plan.changes[0].address, 'dataproc-cluster.main');
    assert.ok(plan.changes.some((c) => c.address === 'secret.signing-key'));

    const theirs: Observed = { exists: true, owned: false, actual: {} };
    state.set('secret.signing-key', theirs);
    state.set('secret.signing-cert', theirs);
    plan = planDown(graph, state);
    assert.ok(!plan.changes.some((c) => c.address.startsWith('secret.')));
    assert.ok(plan.notes.some((n) => n.includes('secret.signing-key') && n.includes('not owned')));
  });
});
