import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { requestLog, runCli } from '../helpers/cli.js';
import { gpuWorkspace } from '../helpers/gpu.js';

// `dpgce secure-boot keys` and field case F25: the signature database of a
// custom image trusts the module-signing certificate and both Microsoft
// UEFI CAs (2011 and 2023); a missing 2023 CA is an error unless waived;
// a file that is not X.509 is rejected with its name, before any request.

const keys = async (ws: { dir: string; env: string; state: string }, ...extra: string[]) =>
  runCli(['secure-boot', 'keys', '--env', ws.env, '--local', '--local-state', ws.state, ...extra], {
    cwd: ws.dir,
  });

describe('dpgce secure-boot keys', () => {
  it('F25: writes a db of the custom certificate and the Microsoft UEFI CAs 2011 and 2023', async () => {
    const ws = await gpuWorkspace();
    const r = await keys(ws, '--json', '--out', join(ws.dir, 'db'));
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const subjects = doc.signatureDatabaseFiles.map(
      (f: string) => new X509Certificate(readFileSync(f)).subject,
    );
    assert.equal(subjects.length, 3);
    assert.match(subjects[0], /CN=dpgce module signing gpu-cluster/);
    assert.match(subjects[1], /Microsoft Corporation UEFI CA 2011/);
    assert.match(subjects[2], /Microsoft UEFI CA 2023/);
    assert.equal(
      readFileSync(join(ws.dir, 'db/signature-database-files.txt'), 'utf8').trim(),
      doc.signatureDatabaseFiles.join(','),
    );
    assert.equal(doc.created, true);
    assert.match(doc.metadata.modulus_md5sum, /^[0-9a-f]{32}$/);
    assert.equal(doc.metadata.secret_version, '1');
  });

  it('reuses the pair on a second run and never prints the private key', async () => {
    const ws = await gpuWorkspace();
    const first = JSON.parse((await keys(ws, '--json')).stdout);
    const second = await keys(ws, '--json');
    assert.equal(second.code, 0, second.stderr);
    const doc = JSON.parse(second.stdout);
    assert.equal(doc.created, false);
    assert.equal(doc.metadata.modulus_md5sum, first.metadata.modulus_md5sum);
    assert.doesNotMatch(second.stdout + second.stderr, /PRIVATE KEY/);
    const adds = requestLog(ws.state).filter((l) => l.path.endsWith(':addVersion'));
    assert.equal(adds.length, 2, 'two versions in all: one per secret, from the first run');
  });

  it('F25: a missing 2023 CA is an error naming the key, and nothing is sent', async () => {
    const ws = await gpuWorkspace({ MS_UEFI_CA_2023_FILE: undefined });
    const r = await keys(ws);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /MS_UEFI_CA_2023_FILE is not set.*Microsoft UEFI CA 2023.*--waive-uefi-ca-2023/s,
    );
    assert.deepEqual(requestLog(ws.state), []);
  });

  it('F25: the 2023 CA can be waived explicitly, with a warning', async () => {
    const ws = await gpuWorkspace({ MS_UEFI_CA_2023_FILE: undefined });
    const r = await keys(ws, '--waive-uefi-ca-2023', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: MS_UEFI_CA_2023_FILE is not set and --waive-uefi-ca-2023 was given/,
    );
    assert.equal(JSON.parse(r.stdout).signatureDatabaseFiles.length, 2);
  });

  it('F25: a file that is not an X.509 certificate is rejected with its name', async () => {
    const ws = await gpuWorkspace();
    const bad = join(ws.dir, 'uefi/MicCorUEFCA2011_2011-06-27.crt');
    writeFileSync(bad, '<html>Sign in to continue</html>\n');
    const r = await keys(ws);
    assert.equal(r.code, 1);
    assert.ok(
      r.stderr.includes(`MS_UEFI_CA_2011_FILE: ${bad} is not an X.509 certificate`),
      r.stderr,
    );
    assert.deepEqual(requestLog(ws.state), []);
  });

  it('refuses to pair an existing half with a new key', async () => {
    const ws = await gpuWorkspace();
    assert.equal((await keys(ws)).code, 0);
    const { startEmulator } = await import('../../src/emulator/server.js');
    const e = await startEmulator({ stateDir: ws.state });
    const res = await fetch(
      `${e.url}/v1/projects/dpgce-demo-project/secrets/gpu-cluster-efi-db-pub-key`,
      { method: 'DELETE', headers: { authorization: 'Bearer t' } },
    );
    assert.equal(res.status, 200);
    await e.close();
    const r = await keys(ws);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /gpu-cluster-efi-db-priv-key exists but .*gpu-cluster-efi-db-pub-key does not/,
    );
  });
});
