import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scrub } from '../../src/gcp/errors.js';
import { startEmulator } from '../../src/emulator/server.js';
import { requestLog, runCli, workspace } from '../helpers/cli.js';

// Tokens, private keys and signed URLs never reach the user's screen, the
// JSON output, the journal or the request log, even when the API itself
// echoes them back in an error, and even with DPGCE_LOG=debug.

const TOKEN = 'ya29.a0AfB_byC-secret-token-0123456789';
const KEY =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secretkey\n-----END PRIVATE KEY-----';
const SIGNATURE = '5c1f0a9e2b7d4c3f8e6a1b0d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e';
const ECHO =
  `request refused. Authorization: Bearer ${TOKEN}; key ${KEY}; see ` +
  `https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=${SIGNATURE}`;
/** What must never appear anywhere the tool writes. */
const SECRETS = [
  TOKEN,
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secretkey',
  SIGNATURE,
  'dpgce-emulator-token',
  'BEGIN PRIVATE KEY',
];

function assertClean(where: string, text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${where} contains ${s.slice(0, 24)}...`);
}

describe('secrets', () => {
  it('scrub removes bearer tokens, OAuth tokens, private keys and URL signatures', () => {
    const out = scrub(
      ECHO +
        ` {"access_token": "${TOKEN}", "refresh_token": "1//0gsecret", "client_secret": "GOCSPX-abc"}`,
    );
    assertClean('scrubbed text', out);
    assert.doesNotMatch(out, /1\/\/0gsecret|GOCSPX-abc/);
    assert.match(out, /Bearer \[redacted\]/);
    assert.match(out, /\[private key redacted\]/);
  });

  it('an API error that echoes them is reported without them: stderr, JSON, journal, request log', async () => {
    const ws = workspace();
    const e = await startEmulator({
      stateDir: join(ws.dir, 'emu'),
      faults: {
        rules: [
          { api: 'compute', method: 'POST', path: '/firewalls$', fault: 400, message: ECHO },
          { api: 'dns', method: 'GET', nth: [1, 2], fault: 503, message: ECHO },
        ],
      },
    });
    try {
      const r = await runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes', '--json'], {
        cwd: ws.dir,
        env: { DPGCE_LOG: 'debug' },
      });
      assert.equal(r.code, 1, 'the 400 fails the firewall rules');
      const doc = JSON.parse(r.stdout);
      const failed = doc.changes.filter((c: any) => c.status === 'failed');
      assert.ok(
        failed.length > 0 && failed.every((c: any) => /request refused/.test(c.error)),
        'the cause is still told',
      );
      assert.match(r.stderr, /\[debug\] retry dns\./, 'the retried 503 was logged in debug');
      assertClean('stdout', r.stdout);
      assertClean('stderr', r.stderr);
      assertClean('journal', readFileSync(join(ws.dir, '.dpgce', 'journal.jsonl'), 'utf8'));
      assertClean('requests.jsonl', readFileSync(join(ws.dir, 'emu', 'requests.jsonl'), 'utf8'));
    } finally {
      await e.close();
    }
  });

  it('the request log holds no header, only time, api, method, path, status and mutating', async () => {
    const ws = workspace();
    const r = await runCli(['up', '--env', ws.env, '--local', '--local-state', ws.state, '--yes'], {
      cwd: ws.dir,
      env: { DPGCE_LOG: 'debug' },
    });
    assert.equal(r.code, 0, r.stderr.slice(-400));
    const log = requestLog(ws.state);
    assert.ok(log.length > 100);
    for (const line of log)
      assert.deepEqual(Object.keys(line).sort(), [
        'api',
        'method',
        'mutating',
        'path',
        'status',
        'time',
      ]);
    const raw = readFileSync(join(ws.state, 'requests.jsonl'), 'utf8');
    assert.doesNotMatch(raw, /authorization|bearer/i);
    assertClean('requests.jsonl', raw);
    assertClean('stdout', r.stdout);
    assertClean('stderr', r.stderr);
    assert.ok(existsSync(join(ws.dir, '.dpgce', 'journal.jsonl')));
    assertClean('journal', readFileSync(join(ws.dir, '.dpgce', 'journal.jsonl'), 'utf8'));
  });
});
