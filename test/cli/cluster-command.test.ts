import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  dictFlag,
  gcloudCreateArgs,
  renderCommand,
  shellQuote,
} from '../../src/cli/cluster-command.js';
import { gpuGraph } from '../helpers/gpu.js';

// The gcloud command `dpgce cluster command` prints: gcloud's own flags for
// each field, dictionary flags escaped with a delimiter no value contains
// (F26), and shell quoting that a shell reads back unchanged.

const body = () => gpuGraph().find((d) => d.address === 'dataproc-cluster.main')!.spec.cluster;

describe('dpgce cluster command', () => {
  it('F26: escapes a dictionary with a delimiter that no key or value contains', () => {
    assert.equal(dictFlag({ a: '1', b: '2' }), 'a=1,b=2', 'no escaping without commas');
    assert.equal(
      dictFlag({ 'no-proxy': '.corp.example,10.10.0.0/24', x: 'y' }),
      '^|^no-proxy=.corp.example,10.10.0.0/24|x=y',
    );
    assert.equal(dictFlag({ 'no-proxy': 'a,b', j: 'p|q' }), '^#^no-proxy=a,b#j=p|q');
    assert.throws(() => dictFlag({ k: 'a,|#;~@%!', l: 'b+' }), /every candidate delimiter/);
  });

  it('maps the request to gcloud flags: no external IPs, Shielded VM, GPUs, the custom image', () => {
    const args = gcloudCreateArgs(body(), 'us-central1');
    assert.deepEqual(args.slice(0, 4), ['dataproc', 'clusters', 'create', 'gpu-cluster']);
    for (const flag of [
      '--region=us-central1',
      '--zone=us-central1-a',
      '--no-address',
      '--tags=gpu-cluster-node',
      '--shielded-secure-boot',
      '--shielded-vtpm',
      '--shielded-integrity-monitoring',
      '--bucket=dpgce-gpu-staging',
      '--temp-bucket=dpgce-gpu-temp',
      '--master-accelerator=type=nvidia-tesla-t4,count=1',
      '--worker-accelerator=type=nvidia-tesla-t4,count=1',
      '--num-workers=2',
      '--labels=dpgce-env=gpu-cluster',
      '--image=https://www.googleapis.com/compute/v1/projects/dpgce-demo-project/global/images/dataproc-2-2-deb12-secure-boot-gpu',
    ]) {
      assert.ok(args.includes(flag), `${flag} in ${args.join(' ')}`);
    }
    assert.ok(
      !args.some((a) => a.startsWith('--image-version')),
      '--image and --image-version exclude each other',
    );
    const metadata = args.find((a) => a.startsWith('--metadata='))!;
    assert.match(
      metadata,
      /^--metadata=\^\|\^startup-script-url=gs:\/\/dpgce-gpu-staging\/custom-image-deps\/gce-proxy-setup\.sh\|/,
    );
    assert.ok(metadata.includes('|no-proxy=.corp.example,10.10.0.0/24,10.11.0.0/24|'));
  });

  it('uses --single-node and --no-shielded-secure-boot as gcloud spells them', () => {
    const b = gpuGraph({ SINGLE_NODE: true, NUM_WORKERS: undefined, SECURE_BOOT: false }).find(
      (d) => d.address === 'dataproc-cluster.main',
    )!.spec.cluster;
    const args = gcloudCreateArgs(b, 'us-central1');
    assert.ok(args.includes('--single-node'));
    assert.ok(args.includes('--no-shielded-secure-boot'));
    assert.ok(!args.some((a) => a.startsWith('--num-workers') || a.startsWith('--worker-')));
    assert.ok(
      !args.some((a) => a.includes('allow.zero.workers')),
      '--single-node sets that property itself',
    );
  });

  it('prints a command a shell reads back argument for argument', () => {
    const args = gcloudCreateArgs(body(), 'us-central1');
    const text = renderCommand(args);
    const echoed = spawnSync('bash', ['-c', text.replace(/^gcloud /, 'printf "%s\\0" ')], {
      encoding: 'utf8',
    });
    assert.equal(echoed.status, 0, echoed.stderr);
    assert.deepEqual(echoed.stdout.split('\0').slice(0, -1), args);
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
  });
});
