import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadEnvBytes, loadEnvFile, loadEnvText } from '../../src/config/load.js';
import { deriveNames } from '../../src/config/names.js';
import { describeDiagnostics, errors, EXAMPLE_ENV, loadWith } from './env-fixture.js';

describe('loading env.json', () => {
  it('loads examples/env.json with zero diagnostics', async () => {
    const result = await loadEnvFile(fileURLToPath(EXAMPLE_ENV));
    assert.deepEqual(result.diagnostics, [], describeDiagnostics(result));
    assert.ok(result.config);
    assert.equal(result.config.swpPort, 3128);
    assert.deepEqual(result.config.proxyCertGcsPath,
      { bucket: 'dpgce-demo-proxy-cert', object: 'proxy.cer' });
    assert.deepEqual(result.config.policyPresets, ['dataproc-gpu']);
    assert.equal(result.config.envName, 'dpgce');
  });

  it('derives the names names.ts gives for the example', async () => {
    const { config } = await loadEnvFile(fileURLToPath(EXAMPLE_ENV));
    assert.ok(config);
    const names = deriveNames(config);
    assert.equal(names.network, 'dpgce-net');
    assert.equal(names.clusterSubnet, 'main-subnet');
    assert.equal(names.serviceAccountEmail, 'dpgce-sa@dpgce-demo-project.iam.gserviceaccount.com');
    assert.equal(names.firewall.egressGoogleApis, 'dpgce-egress-google-apis');
  });

  it('names the environment after CLUSTER_NAME when ENV_NAME is absent, and ENV_NAME wins', () => {
    assert.equal(loadWith({ CLUSTER_NAME: 'gpu-cluster' }).config?.envName, 'gpu-cluster');
    const both = loadWith({ CLUSTER_NAME: 'gpu-cluster', ENV_NAME: 'team-a' });
    assert.equal(both.config?.envName, 'team-a');
  });

  it('carries name overrides under their EnvConfig names', () => {
    const { config } = loadWith({
      NETWORK: 'shared-vpc', CA_POOL: 'Pool_1', GATEWAY_SECURITY_POLICY: 'egress',
    });
    assert.deepEqual(config?.overrides,
      { network: 'shared-vpc', caPool: 'Pool_1', gatewaySecurityPolicy: 'egress' });
    assert.equal(deriveNames(config!).network, 'shared-vpc');
  });

  it('accepts SWP_PORT as a JSON number', () => {
    assert.equal(loadWith({ SWP_PORT: 8443 }).config?.swpPort, 8443);
  });

  it('reports a missing file as one error on env.json', async () => {
    const result = await loadEnvFile('/nonexistent/dir/env.json');
    assert.equal(result.config, undefined);
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0].key, 'env.json');
    assert.match(result.diagnostics[0].summary, /does not exist/);
  });

  it('reports an unreadable path (a directory) as one error on env.json', async () => {
    const result = await loadEnvFile(fileURLToPath(new URL('.', EXAMPLE_ENV)));
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0].key, 'env.json');
  });

  it('rejects bytes that are not UTF-8', () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0x41, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const result = loadEnvBytes(bytes, 'env.json');
    assert.equal(result.diagnostics.length, 1);
    assert.match(result.diagnostics[0].summary, /not valid UTF-8/);
  });

  it('ignores a UTF-8 byte order mark', () => {
    const text = `\uFEFF${JSON.stringify({ PROJECT_ID: 'x' })}`;
    const keys = loadEnvText(text, 'env.json').diagnostics.map((d) => d.key);
    assert.ok(!keys.includes('env.json'), keys.join(','));
  });
});

describe('JSON syntax', () => {
  it('reports a syntax error as file:line:col and checks nothing else', () => {
    const text = '{\n  "PROJECT_ID": "dpgce-demo-project",\n  "REGION": us-central1\n}\n';
    const result = loadEnvText(text, 'conf/env.json');
    assert.equal(result.diagnostics.length, 1);
    assert.equal(result.diagnostics[0].key, 'env.json');
    assert.equal(result.diagnostics[0].summary,
      'conf/env.json:3:13: unexpected text "us-central1"');
  });

  it('points at the right column after a missing comma', () => {
    const result = loadEnvText('{"A": "1"\n   "B": "2"}', 'env.json');
    assert.match(result.diagnostics[0].summary, /^env\.json:2:4: /);
  });

  it('accepts a // comment after a value and keeps the value intact (F16)', () => {
    const text = [
      '{',
      '  "PROJECT_ID": "dpgce-demo-project", // the demo project',
      '  "REGION": "us-central1", /* a block comment */',
      '  "ZONE": "us-central1-a",',
      '  "SUBNET": "main-subnet",',
      '  "BUCKET": "dpgce-demo-staging",',
      '  "TEMP_BUCKET": "dpgce-demo-temp",',
      '  "RANGE": "10.10.0.0/24",',
      '  "PRIVATE_RANGE": "10.11.0.0/24",',
      '  "SWP_RANGE": "10.12.0.0/24",',
      '  "SWP_IP": "10.11.0.250",',
      '  "SWP_PORT": "3128", // squid\'s default',
      '  "SWP_HOSTNAME": "swp.your.domain.com",',
      '  "PROXY_CERT_GCS_PATH": "gs://dpgce-demo-proxy-cert/proxy.cer",',
      '}',
    ].join('\n');
    const result = loadEnvText(text, 'env.json');
    assert.deepEqual(result.diagnostics, [], describeDiagnostics(result));
    assert.equal(result.config?.projectId, 'dpgce-demo-project');
    assert.equal(result.config?.swpPort, 3128);
  });

  it('keeps a // inside a string as part of the value', () => {
    const result = loadWith({ PROXY_CERT_GCS_PATH: 'gs://dpgce-demo-proxy-cert//x//proxy.cer' });
    assert.equal(result.config?.proxyCertGcsPath.object, '/x//proxy.cer');
  });
});

describe('F15: the address plan is checked before any API call', () => {
  const plan = { RANGE: '10.0.1.0/24', PRIVATE_RANGE: '10.0.2.0/24', SWP_RANGE: '10.0.3.0/24' };

  it('reports SWP_IP outside both private ranges with the exact wording', () => {
    const result = loadWith({ ...plan, SWP_IP: '10.0.4.245' });
    assert.equal(result.config, undefined);
    assert.deepEqual(errors(result).map((d) => [d.key, d.summary]), [
      ['SWP_IP', 'SWP_IP 10.0.4.245 is not inside RANGE 10.0.1.0/24 or PRIVATE_RANGE 10.0.2.0/24'],
    ]);
  });

  it('reports an overlapping SWP_RANGE with the exact wording', () => {
    const result = loadWith({ ...plan, SWP_RANGE: '10.0.1.128/25', SWP_IP: '10.0.2.10' });
    assert.deepEqual(errors(result).map((d) => [d.key, d.summary]), [
      ['SWP_RANGE', 'SWP_RANGE 10.0.1.128/25 overlaps RANGE 10.0.1.0/24'],
    ]);
  });

  it('reports both F15 errors together when both mistakes are in one file', () => {
    const result = loadWith({ ...plan, SWP_RANGE: '10.0.1.128/25', SWP_IP: '10.0.4.245' });
    assert.deepEqual(errors(result).map((d) => d.summary), [
      'SWP_RANGE 10.0.1.128/25 overlaps RANGE 10.0.1.0/24',
      'SWP_IP 10.0.4.245 is not inside RANGE 10.0.1.0/24 or PRIVATE_RANGE 10.0.2.0/24',
    ]);
  });
});

describe('complete reports', () => {
  it('reports several errors at once, each on its own key, in key order', () => {
    const result = loadWith({
      PROJECT_ID: 'My-Project', ZONE: 'europe-west1-b', BUCKET: 'my_bucket..x', SWP_PORT: '99999',
      PROXY_CERT_GCS_PATH: 'https://example.com/proxy.cer', SWP_IP: '10.99.0.1',
    });
    assert.equal(result.config, undefined);
    assert.deepEqual(errors(result).map((d) => d.key),
      ['PROJECT_ID', 'ZONE', 'BUCKET', 'SWP_IP', 'SWP_PORT', 'PROXY_CERT_GCS_PATH']);
  });

  it('reports every missing required key', () => {
    const result = loadEnvText('{}', 'env.json');
    assert.equal(errors(result).length, 13);
    for (const d of errors(result)) {
      assert.match(d.summary, / is missing$/);
      assert.match(d.detail, /^Add "[A-Z_]+": /);
    }
  });

  it('still checks the address plan when an unrelated key is wrong', () => {
    const result = loadWith({ PROJECT_ID: 'UPPER', SWP_IP: '10.11.0.255' });
    assert.deepEqual(errors(result).map((d) => d.key), ['PROJECT_ID', 'SWP_IP']);
  });
});
