import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { builtWorkspace, type BuiltWorkspace } from '../helpers/built.js';
import { runCli, stateResources } from '../helpers/cli.js';
import { check, doctor, LOC, POOL } from './doctor-run.js';

// The expiry group with doctor's clock moved (DPGCE_DOCTOR_NOW, test-only):
// the root CA warns 30 days ahead and fails once expired; the gateway's
// managed certificate warns once its renewal is overdue and fails once
// expired. The dates come from the certificates the emulator issued.

const DAY = 86_400_000;

function notAfter(ws: BuiltWorkspace, name: string, field: string): Date {
  const pem = stateResources(ws.state)[name][field];
  return new Date(new X509Certificate(Array.isArray(pem) ? pem[0] : pem).validTo);
}

const at = (t: Date) => ({ DPGCE_DOCTOR_NOW: t.toISOString() });

describe('doctor: expiry', () => {
  it('passes with the dates on a fresh environment', async () => {
    const ws = await builtWorkspace();
    const run = await doctor(ws);
    const root = check(run, 'expiry.root-ca');
    assert.equal(root.status, 'pass');
    const rootEnd = notAfter(ws, `${POOL}/certificateAuthorities/dpgce-swp-root`, 'pemCaCertificates');
    assert.ok(root.evidence.includes(`expires ${rootEnd.toISOString()}`), root.evidence);
    const gw = check(run, 'expiry.gateway-certificate');
    assert.equal(gw.status, 'pass');
    assert.match(gw.evidence, /dpgce-swp-cert expires \S+ \(\S+\); Certificate Manager renews it from \d{4}-\d\d-\d\d$/);
  });

  it("warns on the root CA 20 days before its notAfter, and fails the gateway certificate long expired by then", async () => {
    const ws = await builtWorkspace();
    const rootEnd = notAfter(ws, `${POOL}/certificateAuthorities/dpgce-swp-root`, 'pemCaCertificates');
    const run = await doctor(ws, at(new Date(rootEnd.getTime() - 20 * DAY)));
    const root = check(run, 'expiry.root-ca');
    assert.equal(root.status, 'warn');
    assert.match(root.evidence, /^root CA dpgce-swp-root \(O=dpgce, CN=dpgce Secure Web Proxy TLS inspection root\) expires \S+: in 20 days$/);
    assert.match(root.fix, /set ROOT_CA in env\.json to a new name and run `dpgce up`.*gcloud privateca roots disable dpgce-swp-root --pool=dpgce-swp-pool/);
    const gw = check(run, 'expiry.gateway-certificate');
    assert.equal(gw.status, 'fail');
    assert.match(gw.evidence, /dpgce-swp-cert expires \S+: expired/);
    assert.match(gw.fix, /roles\/privateca\.certificateRequester/);
    assert.equal(run.code, 1);
  });

  it('fails the root CA once it has expired', async () => {
    const ws = await builtWorkspace();
    const rootEnd = notAfter(ws, `${POOL}/certificateAuthorities/dpgce-swp-root`, 'pemCaCertificates');
    const root = check(await doctor(ws, at(new Date(rootEnd.getTime() + DAY))), 'expiry.root-ca');
    assert.equal(root.status, 'fail');
    assert.match(root.evidence, /: expired; nodes reject every inspected connection$/);
  });

  it('warns on the gateway certificate when its renewal is overdue but it has not expired', async () => {
    const ws = await builtWorkspace();
    const end = notAfter(ws, `${LOC}/certificates/dpgce-swp-cert`, 'pemCertificate');
    const gw = check(await doctor(ws, at(new Date(end.getTime() - 2 * DAY))), 'expiry.gateway-certificate');
    assert.equal(gw.status, 'warn');
    assert.match(gw.evidence, /dpgce-swp-cert expires \S+: its renewal was due \S+$/);
    assert.match(gw.fix, /Certificate Manager did not renew it/);
  });

  it('refuses a clock that is not a time', async () => {
    const ws = await builtWorkspace();
    const r = await runCli(['doctor', ...ws.target], { cwd: ws.dir, env: { DPGCE_DOCTOR_NOW: 'next tuesday' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /DPGCE_DOCTOR_NOW=next tuesday is not a time/);
  });
});
