import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator, type Exchange } from '../../src/emulator/server.js';
import { gcloudEnv, runGcloud } from './gcloud-run.js';
import type { Case, Recorded } from './transcript-log.js';

// Producing the emulator's side of a transcript: a case with a script.yaml
// runs its gcloud commands (sleeps and commands about things dpgce never
// does skipped); the others replay the recorded requests directly. Each
// case gets its own strict emulator, recording whole exchanges, with
// operations done at their first poll as in the recordings.

export const PROJECT = 'transcript-proj';
export const UNIQUE = 'a1b2c3d4';

/** Whole cases dpgce has nothing to do with. */
export const SKIPPED_CASES: Record<string, string> = {
  'iam-policy': 'IAM deny policies (iam v2): dpgce never creates them',
};

/** Script commands about things dpgce never does. */
const SKIPPED_COMMANDS: [RegExp, string][] = [
  [/^sleep /, 'a wait for IAM propagation'],
  [/^gcloud projects (create|delete) /, 'dpgce never creates or deletes projects'],
];

export interface Produced {
  exchanges: Exchange[];
  /** Commands left out, with why; when any, recorded exchanges we did not send are not differences. */
  skipped: string[];
  failures: string[];
}

async function emulator(): Promise<Emulator> {
  return startEmulator({ strict: { enabled: true }, timing: { minPolls: 0 }, recordExchanges: true });
}

const fill = (s: string): string => s.replaceAll('${projectId}', PROJECT).replaceAll('${uniqueId}', UNIQUE);

export async function runScript(c: Case): Promise<Produced> {
  const emu = await emulator();
  const skipped: string[] = [];
  const failures: string[] = [];
  try {
    // Input files (gateway.yaml) beside the commands, placeholders filled.
    const dir = mkdtempSync(join(tmpdir(), 'dpgce-transcript-'));
    for (const f of readdirSync(c.dir).filter((f) => !['_http.log', 'script.yaml'].includes(f))) {
      writeFileSync(join(dir, f), fill(readFileSync(join(c.dir, f), 'utf8')));
    }
    await SCRIPT_FIXTURES[c.name]?.(emu);
    const before = emu.exchanges.length;
    const env = gcloudEnv(emu.url, PROJECT);
    for (const line of c.script ?? []) {
      const skip = SKIPPED_COMMANDS.find(([re]) => re.test(line));
      if (skip) {
        skipped.push(`${line} (${skip[1]})`);
        continue;
      }
      const args = [...fill(line).replace(/^gcloud /, '').matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replace(/"/g, ''));
      const r = await runGcloud(args, env, dir);
      if (r.code !== 0) failures.push(`${line}: ${r.stderr.trim().split('\n').pop()}`);
    }
    return { exchanges: emu.exchanges.slice(before), skipped, failures };
  } finally {
    await emu.close();
  }
}

/**
 * Replays each recorded request. Placeholders become concrete values: the
 * project, the unique id, resource names (`${networkID}` -> `network-<id>`),
 * and `${operationID}` the name of the last operation the emulator returned.
 * `$alt=json;enum-encoding=int` is sent as `alt=json` (not implemented; the
 * allowlist says so). A network the recording found already there is made first.
 */
export async function replay(c: Case): Promise<Produced> {
  const emu = await emulator();
  try {
    const before = await setUp(emu, c.exchanges);
    const call = request(emu);
    let lastOp = '';
    let lastEtag = '';
    for (const r of c.exchanges) {
      const url = concrete(r.url, lastOp).replace(/([?&])%24alt=json%3Benum-encoding%3Dint(&?)/, '$1alt=json$2');
      // Recorded etags are placeholders: send the one the emulator last gave.
      const text = r.body === undefined ? undefined : concrete(JSON.stringify(r.body), lastOp).replaceAll('"abcdef0123A="', JSON.stringify(lastEtag));
      const body = text === undefined ? undefined : JSON.parse(text);
      if (body?.selfManaged && !body.selfManaged.pemPrivateKey) body.selfManaged = await keyPair();
      const json = await call(r.method, url, body);
      if (typeof json?.etag === 'string') lastEtag = json.etag;
      const name = json?.name;
      if (typeof name === 'string' && /operation-/.test(name)) lastOp = name.split('/').pop() ?? name;
    }
    return { exchanges: emu.exchanges.slice(before), skipped: [], failures: [] };
  } finally {
    await emu.close();
  }
}

/**
 * Recordings drop private keys; a self-managed certificate is replayed with a
 * fresh certificate and its key instead.
 */
async function keyPair(): Promise<{ pemCertificate: string; pemPrivateKey: string }> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=example.com',
    notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000), keys, signingAlgorithm: alg });
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return { pemCertificate: cert.toString('pem'),
    pemPrivateKey: `-----BEGIN PRIVATE KEY-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n` };
}

function concrete(text: string, lastOp: string): string {
  return fill(text)
    .replaceAll('${operationID}', lastOp)
    .replaceAll('${projectNumber}', '0')
    .replace(/\$\{([a-z]+)(ID|Name)\}/g, (_m, what: string) => `${what.toLowerCase()}-${UNIQUE}`)
    .replace(/\$\{[A-Za-z]+\}/g, 'x');
}

function request(emu: Emulator) {
  return async (method: string, url: string, body?: unknown): Promise<any> => {
    const res = await fetch(emu.url + url, {
      method,
      headers: { authorization: 'Bearer transcript', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      return undefined;
    }
  };
}

/** The recording found the network already there (200): a fixture made it, with a description and a subnet. */
const needsNetwork = (recorded: Recorded[]): boolean =>
  /\/global\/networks\/\$\{networkID\}/.test(recorded[0]?.url ?? '') && recorded[0].status === 200;

/** Makes what the recording's fixtures made before it; returns how many exchanges that took. */
async function setUp(emu: Emulator, recorded: Recorded[]): Promise<number> {
  if (needsNetwork(recorded)) await network(emu, `network-${UNIQUE}`, 'us-west1', '10.2.0.0/16');
  return emu.exchanges.length;
}

/** A custom-mode network with a description and one subnet. */
async function network(emu: Emulator, name: string, region: string, range: string): Promise<void> {
  const call = request(emu);
  const base = `/compute/v1/projects/${PROJECT}`;
  const wait = async (op: any, scope: string) => call('POST', `${base}/${scope}/operations/${op.name}/wait`);
  await wait(await call('POST', `${base}/global/networks`,
    { name, description: 'made before the recording', autoCreateSubnetworks: false }), 'global');
  await wait(await call('POST', `${base}/regions/${region}/subnetworks`,
    { name, network: `projects/${PROJECT}/global/networks/${name}`, ipCidrRange: range }), `regions/${region}`);
}

/** What a script's project held before it ran: the `default` network gcloud falls back on. */
export const SCRIPT_FIXTURES: Record<string, (emu: Emulator) => Promise<void>> = {
  'dataproc-cluster': (emu) => network(emu, 'default', 'us-central1', '10.128.0.0/20'),
};
