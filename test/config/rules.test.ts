// Table-driven field rules: each row changes one key of the example and
// names the key its error must be on, and a fragment of the summary.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeDiagnostics, errors, loadWith, warnings } from './env-fixture.js';

const LONG = 'x'.repeat(2000);

const rejected: Array<[string, unknown, RegExp]> = [
  ['PROJECT_ID', 'My-Project', /^PROJECT_ID "My-Project" has uppercase letters/],
  ['PROJECT_ID', 'abc', /is 3 characters/],
  ['PROJECT_ID', '1project', /does not start with a letter/],
  ['PROJECT_ID', 'my-project-', /ends with a hyphen/],
  ['PROJECT_ID', 'my_project', /lowercase letters, digits and hyphens/],
  ['PROJECT_ID', 'dрgce-demo', /U\+0440/],
  ['PROJECT_ID', 123456, /must be a string, not a number/],
  ['REGION', 'us-central', /is not a region name/],
  ['REGION', ' us-central1', /leading or trailing whitespace/],
  ['ZONE', 'us-central1', /is not a zone name/],
  ['ZONE', 'europe-west1-b', /^ZONE europe-west1-b is not in REGION us-central1$/],
  ['SUBNET', 'Main_Subnet', /uppercase/],
  ['SUBNET', 'a'.repeat(64), /64 characters/],
  ['BUCKET', 'my_bucket..x', /^BUCKET "my_bucket\.\.x" has consecutive dots/],
  ['BUCKET', 'ab', /shorter than 3/],
  ['BUCKET', 'goog-bucket', /goog/],
  ['BUCKET', 'my-g00gle-bucket', /google/],
  ['BUCKET', '10.1.2.3', /IP address/],
  ['BUCKET', '-bucket', /start and end/],
  ['TEMP_BUCKET', 'Temp', /uppercase/],
  ['TEMP_BUCKET', `${'a'.repeat(64)}`, /longer than 63/],
  ['RANGE', '10.10.0.5/24',
    /^RANGE "10\.10\.0\.5\/24" has host bits set; did you mean 10\.10\.0\.0\/24\?$/],
  ['RANGE', '8.8.8.0/24', /not a private range/],
  ['RANGE', '10.0.0.0/30', /prefix length \/30/],
  ['RANGE', '10.0.0.0/7', /not a private range/],
  ['RANGE', '10.0.0/24', /not an IPv4 CIDR range/],
  ['RANGE', '１0.10.0.0/24', /U\+FF11/],
  ['PRIVATE_RANGE', 'fd00::/64', /IPv6/],
  ['PRIVATE_RANGE', '010.11.0.0/24', /not an IPv4 CIDR range/],
  ['SWP_RANGE', '10.12.0.0/27', /prefix length \/27; it must be \/8 to \/26/],
  ['SWP_IP', '10.11.0', /not an IPv4 address/],
  ['SWP_IP', '10.11.0.250/32', /a range, not an address/],
  ['SWP_PORT', '99999', /^SWP_PORT "99999" is not a port \(1-65535\)$/],
  ['SWP_PORT', 99999, /^SWP_PORT 99999 is not a port/],
  ['SWP_PORT', 'abc', /not a decimal number/],
  ['SWP_PORT', 0, /not a port/],
  ['SWP_PORT', 3128.5, /not a whole number/],
  ['SWP_PORT', '３１２８', /U\+FF13/],
  ['SWP_PORT', true, /must be a number or a decimal string, not true/],
  ['SWP_HOSTNAME', 'swp', /no dot/],
  ['SWP_HOSTNAME', 'swp.-bad.example.com', /label "-bad"/],
  ['SWP_HOSTNAME', `${'a'.repeat(64)}.example.com`, /label longer than 63/],
  ['SWP_HOSTNAME', '10.0.0.1', /numeric label/],
  ['SWP_HOSTNAME', 'swp.example.com.', /ends with a dot/],
  ['PROXY_CERT_GCS_PATH', 'https://storage.googleapis.com/b/o', /does not start with gs:\/\//],
  ['PROXY_CERT_GCS_PATH', 'gs://bucket', /no bucket name|no object/],
  ['PROXY_CERT_GCS_PATH', 'gs://bucket/', /no object name/],
  ['PROXY_CERT_GCS_PATH', 'gs://bucket/certs/', /names a folder/],
  ['PROXY_CERT_GCS_PATH', 'gs://Bad_Bucket/x.cer', /invalid bucket/],
  ['ENV_NAME', 'ab', /2 characters/],
  ['ENV_NAME', 'a'.repeat(25), /25 characters/],
  ['ENV_NAME', 'env-', /not a valid environment name/],
  ['CLUSTER_NAME', 'a-cluster-name-that-is-far-too-long', /cannot name the environment/],
  ['SWP_ALLOWED_HOSTS', ['*'], /\[0\] "\*" would allow every host/],
  ['SWP_ALLOWED_HOSTS', ['ok.example.com', '*.com'],
    /\[1\] "\*\.com" covers a whole top-level domain/],
  ['SWP_ALLOWED_HOSTS', ['a.*.example.com'], /"\*" somewhere other/],
  ['SWP_ALLOWED_HOSTS', 'example.com', /must be an array of host patterns/],
  ['SWP_POLICY_PRESETS', ['debian', 'nope'], /\[1\] "nope" is not a policy preset/],
  ['SWP_POLICY_PRESETS', {}, /must be an array of preset names, not an object/],
  ['NETWORK', 'Net', /uppercase/],
  ['PRIVATE_SUBNET', '-x', /not a valid Compute Engine name/],
  ['SERVICE_ACCOUNT', 'sa', /2 characters; a service account ID has 6-30/],
  ['CA_POOL', 'pool.with.dots', /not a valid Certificate Authority Service ID/],
  ['ROOT_CA', 'r'.repeat(64), /64 characters/],
  ['GATEWAY', 'Gateway_1', /uppercase/],
  ['GATEWAY_SECURITY_POLICY', '1policy', /not a valid Network Security resource name/],
  ['IMAGE_VERSION', 22, /must be a string/],
  ['DOMAIN', '', /^DOMAIN is empty$/],
  ['PURPOSE', LONG, /\(2000 characters\) is too long; values are limited to 1024 characters$/],
  ['SWP_HOSTNAME', null, /must be a string, not null/],
  ['BUCKET', ['a'], /must be a string, not an array/],
];

describe('field rules', () => {
  for (const [key, value, summary] of rejected) {
    it(`rejects ${key} = ${JSON.stringify(value).slice(0, 40)}`, () => {
      const result = loadWith({ [key]: value });
      const onKey = errors(result).filter((d) => d.key === key);
      assert.ok(onKey.length > 0, `no error on ${key}:\n${describeDiagnostics(result)}`);
      assert.ok(onKey.some((d) => summary.test(d.summary)),
        `no summary matching ${summary}:\n${describeDiagnostics(result)}`);
      assert.ok(onKey.every((d) => d.detail.length > 0), 'every error says what to do');
      assert.equal(result.config, undefined);
    });
  }

  const accepted: Array<Record<string, unknown>> = [
    { PROJECT_ID: 'a23456' },
    { REGION: 'northamerica-northeast1', ZONE: 'northamerica-northeast1-c' },
    { ZONE: 'us-central1-f' },
    { BUCKET: 'my.dotted.bucket_name-1' },
    { RANGE: '172.16.0.0/12' },
    { RANGE: '100.64.0.0/29' },
    { SWP_RANGE: '192.168.0.0/23' },
    { SWP_PORT: '1' },
    { SWP_PORT: 65535 },
    { SWP_HOSTNAME: 'SWP.Example.Internal' },
    { SWP_ALLOWED_HOSTS: ['downloads.example.com', '*.example.org'] },
    { SWP_POLICY_PRESETS: ['debian', 'google-packages'] },
    { PROXY_CERT_GCS_PATH: 'gs://dpgce-demo-proxy-cert/certs/proxy ca.cer' },
    { SERVICE_ACCOUNT: 'cluster-sa' },
    { CA_POOL: 'My_Pool-1' },
    { ENV_NAME: 'abc' },
    { PURPOSE: 'Ünïcode is fine in free text' },
  ];

  for (const changes of accepted) {
    it(`accepts ${JSON.stringify(changes)}`, () => {
      const result = loadWith(changes);
      assert.deepEqual(errors(result), [], describeDiagnostics(result));
      assert.ok(result.config);
    });
  }

  it('normalises hosts to lowercase', () => {
    const { config } = loadWith({
      SWP_HOSTNAME: 'SWP.Example.Internal', SWP_ALLOWED_HOSTS: ['A.Example.com'],
    });
    assert.equal(config?.swpHostname, 'swp.example.internal');
    assert.deepEqual(config?.allowedHosts, ['a.example.com']);
  });

  it('keeps huge values out of the summary', () => {
    const result = loadWith({ SWP_HOSTNAME: 'h'.repeat(100_000) });
    assert.ok(result.diagnostics.every((d) => d.summary.length < 300), describeDiagnostics(result));
  });
});

describe('unknown keys', () => {
  it('warns on a misspelled key, naming the closest known key', () => {
    const result = loadWith({ SWP_PROT: '3128' });
    assert.deepEqual(warnings(result).map((d) => [d.key, d.summary]),
      [['SWP_PROT', 'unknown key SWP_PROT; did you mean SWP_PORT?']]);
    assert.ok(result.config, 'a warning does not block the config');
  });

  it('suggests the key a lowercase spelling means', () => {
    const [found] = warnings(loadWith({ swp_hostname: 'x' }));
    assert.match(found.summary, /did you mean SWP_HOSTNAME\?/);
  });

  it('still names the closest key when nothing is close', () => {
    assert.match(warnings(loadWith({ COMMENT: 'x' }))[0].summary, /the closest known key is /);
  });

  it('is an error when its value is huge', () => {
    const result = loadWith({ NOTES: 'n'.repeat(5000) });
    assert.deepEqual(errors(result).map((d) => d.key), ['NOTES']);
  });
});

describe('advice', () => {
  it('warns that a Google API host in SWP_ALLOWED_HOSTS never uses the proxy', () => {
    const result = loadWith({ SWP_ALLOWED_HOSTS: ['storage.googleapis.com'] });
    assert.deepEqual(warnings(result).map((d) => d.key), ['SWP_ALLOWED_HOSTS']);
  });

  it('warns when the policy would allow nothing', () => {
    const result = loadWith({ SWP_POLICY_PRESETS: [] });
    assert.match(warnings(result)[0].summary, /deny every request/);
    assert.deepEqual(result.config?.policyPresets, []);
  });

  it('rejects a SUBNET named like the derived private subnetwork', () => {
    const result = loadWith({ SUBNET: 'dpgce-private' });
    assert.deepEqual(errors(result).map((d) => d.key), ['SUBNET']);
  });
});
