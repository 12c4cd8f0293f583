import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, workspace } from '../helpers/cli.js';

// `dpgce validate` as a user runs it on broken files: each problem named by
// its key, exit 1, and no API request (with up, not even a state folder).

const base = (): Record<string, unknown> => JSON.parse(readFileSync(new URL('../../../examples/env.json', import.meta.url), 'utf8')
  .replace(/^\s*\/\/.*$/gm, ''));

const CASES: [string, Record<string, unknown>, string][] = [
  ['SWP_IP outside both private ranges', { SWP_IP: '10.99.0.5' }, 'SWP_IP'],
  ['two overlapping ranges', { SWP_RANGE: '10.10.0.128/25' }, 'SWP_RANGE'],
  ['SWP_IP equal to a reserved address', { SWP_IP: '10.11.0.1' }, 'SWP_IP'],
  ['PROJECT_ID with an uppercase letter', { PROJECT_ID: 'Dpgce-demo-project' }, 'PROJECT_ID'],
  ['BUCKET my_bucket..x', { BUCKET: 'my_bucket..x' }, 'BUCKET'],
  ['SWP_PORT 99999', { SWP_PORT: '99999' }, 'SWP_PORT'],
  ['PROXY_CERT_GCS_PATH without gs://', { PROXY_CERT_GCS_PATH: 'https://storage.googleapis.com/b/proxy.cer' }, 'PROXY_CERT_GCS_PATH'],
  ['ZONE not in REGION', { ZONE: 'europe-west1-b' }, 'ZONE'],
  ['SWP_HOSTNAME under googleapis.com', { SWP_HOSTNAME: 'swp.googleapis.com' }, 'SWP_HOSTNAME'],
  ['PROJECT_ID with a restricted string', { PROJECT_ID: 'my-google-project' }, 'PROJECT_ID'],
  ['the proxy CA on the boot script object', { PROXY_CERT_GCS_PATH: 'gs://dpgce-demo-staging/custom-image-deps/gce-proxy-setup.sh' }, 'PROXY_CERT_GCS_PATH'],
];

describe('dpgce validate', () => {
  for (const [what, change, key] of CASES) {
    it(`names ${key} and exits 1: ${what}`, async () => {
      const ws = workspace();
      writeFileSync(ws.env, JSON.stringify({ ...base(), ...change }, null, 2));
      const r = await runCli(['validate', '--env', ws.env, '--json'], { cwd: ws.dir });
      assert.equal(r.code, 1, r.stdout);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.valid, false);
      const errors = doc.diagnostics.filter((d: any) => d.severity === 'error');
      assert.ok(errors.some((d: any) => d.key === key), JSON.stringify(errors));
      assert.ok(errors.every((d: any) => d.summary.length > 0));

      // The same file stops `up` before any request: no emulator state is even created.
      const up = await runCli(['up', '--env', ws.env, '--local', '--local-state', ws.state, '--yes'], { cwd: ws.dir });
      assert.equal(up.code, 1);
      assert.match(up.stderr, new RegExp(key));
      assert.equal(existsSync(join(ws.state, 'requests.jsonl')), false);
    });
  }

  it('reports a syntax error as file:line:col and exits 1', async () => {
    const ws = workspace();
    writeFileSync(ws.env, '{\n  "PROJECT_ID": "p",\n  "REGION" "us-central1"\n}\n');
    const r = await runCli(['validate', '--env', ws.env], { cwd: ws.dir });
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`${ws.env.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+`));
  });

  it('accepts comments, and warns about a misspelled key naming the right one', async () => {
    const ws = workspace();
    const text = readFileSync(ws.env, 'utf8').replace('"SWP_PORT": "3128",', '"SWP_PORT": "3128", // the proxy port\n  "SWP_PROT": "3128",');
    writeFileSync(ws.env, text);
    const r = await runCli(['validate', '--env', ws.env, '--json'], { cwd: ws.dir });
    assert.equal(r.code, 0, r.stdout);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.valid, true);
    const warning = doc.diagnostics.find((d: any) => d.key === 'SWP_PROT');
    assert.equal(warning.severity, 'warning');
    assert.match(warning.summary, /SWP_PORT/);
  });

  it('F15: reports both address-plan errors with the expected wording', async () => {
    const ws = workspace();
    writeFileSync(ws.env, JSON.stringify({ ...base(), RANGE: '10.0.1.0/24', PRIVATE_RANGE: '10.0.2.0/24',
      SWP_RANGE: '10.0.1.128/25', SWP_IP: '10.0.4.245' }));
    const r = await runCli(['validate', '--env', ws.env, '--json'], { cwd: ws.dir });
    assert.equal(r.code, 1);
    const summaries = JSON.parse(r.stdout).diagnostics.map((d: any) => d.summary);
    assert.ok(summaries.includes('SWP_IP 10.0.4.245 is not inside RANGE 10.0.1.0/24 or PRIVATE_RANGE 10.0.2.0/24'), summaries.join('\n'));
    assert.ok(summaries.includes('SWP_RANGE 10.0.1.128/25 overlaps RANGE 10.0.1.0/24'), summaries.join('\n'));
  });
});
