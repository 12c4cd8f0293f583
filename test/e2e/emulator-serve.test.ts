import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, runCli, workspace } from '../helpers/cli.js';

// `dpgce emulator serve`: a standalone emulator on 127.0.0.1 that prints the
// environment pointing gcloud and other clients at it, keeps its state in
// --state, and stops cleanly on SIGTERM.

describe('dpgce emulator serve', () => {
  it('prints every endpoint override and a fake token, serves on loopback, and writes state through', async () => {
    const state = mkdtempSync(join(tmpdir(), 'dpgce-serve-'));
    const child = spawn(process.execPath, [CLI, 'emulator', 'serve', '--state', state, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const { url, env } = JSON.parse(line.toString());
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      for (const api of ['COMPUTE', 'NETWORKSERVICES', 'NETWORKSECURITY', 'CERTIFICATEMANAGER', 'PRIVATECA', 'IAM',
        'CLOUDRESOURCEMANAGER', 'SERVICEUSAGE', 'STORAGE', 'DNS', 'DATAPROC', 'SECRETMANAGER']) {
        assert.equal(env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api}`], `${url}/`, api);
      }
      assert.equal(env.STORAGE_EMULATOR_HOST, url);
      assert.ok(env.CLOUDSDK_AUTH_ACCESS_TOKEN);
      assert.deepEqual(await (await fetch(`${url}/_emulator/health`)).json(), { ok: true });
      const made = await fetch(`${url}/storage/v1/b?project=serve-proj`, {
        method: 'POST', headers: { authorization: `Bearer ${env.CLOUDSDK_AUTH_ACCESS_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'served-bucket' }),
      });
      assert.equal(made.status, 200);
      assert.ok(readFileSync(join(state, 'state.json'), 'utf8').includes('served-bucket'));
    } finally {
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    }
  });

  it('tells a --local run on its state folder to use --emulator instead, at once', async () => {
    const ws = workspace();
    const child = spawn(process.execPath, [CLI, 'emulator', 'serve', '--state', ws.state, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const { url } = JSON.parse(line.toString());
      const started = Date.now();
      const r = await runCli(['status', '--env', ws.env, '--local', '--local-state', ws.state], { cwd: ws.dir });
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(`is served by \`dpgce emulator serve\` at ${url}`), r.stderr);
      assert.ok(r.stderr.includes(`use --emulator ${url} instead of --local`), r.stderr);
      assert.ok(Date.now() - started < 30_000, 'no waiting for a server that runs until stopped');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('refuses a port that is not one, naming the flag', async () => {
    const child = spawn(process.execPath, [CLI, 'emulator', 'serve', '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    assert.match(stderr, /--port eighty: expected a port number/);
  });
});
