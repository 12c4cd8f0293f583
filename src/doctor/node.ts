import { X509Certificate } from 'node:crypto';
import { md5 } from '../resources/storage.js';
import { fail, pass, type CheckGroup, type CheckResult, type DoctorContext } from './check.js';
import { readsCheck } from './node-access.js';
import { desired, found, owned, poolCas, readOrMissing, sameResource, shortName } from './observed.js';

// What a node fetches before anything else: the boot script (it must be the
// one this version of dpgce ships) and the proxy CA it then trusts (it must
// be the CA pool's current root, or every inspected connection fails), both
// readable by the cluster service account.

const BOOT = 'node.boot-script';
const PEM = 'node.proxy-ca-pem';

/**
 * `dpgce up` uploads an object that is missing or that it wrote; one that
 * exists without dpgce's mark (someone uploaded over it) makes a plain `up`
 * stop, so only that case needs --adopt.
 */
const uploadFix = (dc: DoctorContext, address: string, what: string): string =>
  !found(dc, address)
    ? `run \`dpgce up\`: it uploads ${what}`
    : owned(dc, address)
      ? `run \`dpgce up\`: it uploads ${what} again`
      : `run \`dpgce up --adopt\`: the object no longer carries dpgce's mark (dpgce-env=${dc.p.names.ownerMark}), ` +
        `so a plain \`up\` stops at it; --adopt uploads ${what} over it`;

function bootScript(dc: DoctorContext): CheckResult | undefined {
  const d = desired(dc, 'object.boot-script');
  if (!d) return undefined;
  const uri = `gs://${d.spec.bucket}/${d.spec.object}`;
  const actual = found(dc, d.address);
  if (!actual) return fail(BOOT, `${uri} does not exist: nodes have no boot script`, uploadFix(dc, d.address, 'the script'));

  // Cloud Storage gives every object's MD5 (base64) in its metadata.
  const shipped = md5(d.spec.content);
  if (actual.md5Hash === shipped) {
    return pass(BOOT, `${uri} is the script this version ships (md5 ${shipped}, ${actual.size} bytes)`);
  }
  return fail(BOOT, `${uri} has md5 ${actual.md5Hash} (generation ${actual.generation}, updated ` +
    `${actual.updated}), not this version's script (md5 ${shipped})`, uploadFix(dc, d.address, 'the script this version ships'));
}

/** Each certificate of a PEM bundle; text that is not one is skipped. */
function certificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((b) => {
    try {
      return [new X509Certificate(b)];
    } catch {
      return [];
    }
  });
}

const describe = (c: X509Certificate): string =>
  `${c.subject.replace(/\n/g, ', ')} (SHA-256 ${c.fingerprint256.slice(0, 23)}…)`;

async function proxyCaPem(dc: DoctorContext): Promise<CheckResult | undefined> {
  const d = desired(dc, 'object.proxy-ca');
  if (!d) return undefined;
  const uri = `gs://${d.spec.bucket}/${d.spec.object}`;
  const pool = dc.p.ctx.observed.get('ca-pool.swp')?.foundName ?? desired(dc, 'ca-pool.swp')?.name ?? '';
  if (!found(dc, d.address)) {
    return fail(PEM, `${uri} (PROXY_CERT_GCS_PATH) does not exist: nodes cannot trust the proxy`,
      uploadFix(dc, d.address, "the root CA's PEM"));
  }

  // 1. The object's bytes and the pool's CAs, side by side.
  const gcs = await dc.p.session.client('storage');
  const [text, cas] = await Promise.all([
    readOrMissing(dc, { method: 'storage.objects.get', resource: d.name },
      () => gcs.objects.get({ bucket: d.spec.bucket, object: d.spec.object, alt: 'media' }, { responseType: 'text' })),
    poolCas(dc, pool),
  ]);

  // 2. The root of each CA the proxy signs with (ENABLED; else any not deleted) must be in the file.
  const held = certificates(String(text ?? ''));
  const live = cas.filter((c) => c.state !== 'DELETED');
  const signing = live.some((c) => c.state === 'ENABLED') ? live.filter((c) => c.state === 'ENABLED') : live;
  const roots = signing.flatMap((c) => certificates((c.pemCaCertificates ?? []).slice(-1).join('\n'))
    .map((cert) => ({ ca: String(c.name), cert })));
  if (!roots.length) {
    return fail(PEM, `CA pool ${shortName(pool)} has no CA, so ${uri} matches no current root`,
      'run `dpgce up`: it creates the root CA and exports its PEM');
  }
  const absent = roots.filter((r) => !held.some((h) => h.fingerprint256 === r.cert.fingerprint256));
  if (!absent.length) {
    return pass(PEM, `${uri} holds ${roots.map((r) => describe(r.cert)).join(', ')}, the ` +
      `${roots.length > 1 ? 'roots of every ENABLED CA' : 'current root'} of CA pool ${shortName(pool)}`);
  }
  const has = held.length ? held.map(describe).join(', ') : 'no certificate';
  const ours = desired(dc, 'certificate-authority.root')?.name;
  if (roots.length > 1 || !sameResource(absent[0].ca, ours)) return otherRoots(dc, d.address, uri, pool, roots, absent, has, ours);
  return fail(PEM, `${uri} (PROXY_CERT_GCS_PATH) holds ${has}, but CA pool ${shortName(pool)}'s current root is ` +
    `${absent.map((r) => describe(r.cert)).join(', ')}: nodes would reject every inspected connection`,
    uploadFix(dc, d.address, "the root CA's PEM"));
}

type Root = { ca: string; cert: X509Certificate };

/**
 * A pool with more than one ENABLED CA, or one dpgce did not create:
 * Certificate Authority Service may issue from any enabled CA, so the
 * proxy's certificates can chain to either root and nodes must trust every
 * one. `up` only exports the root of the CA it created, so a missing
 * foreign root is not something `up` fixes.
 */
function otherRoots(dc: DoctorContext, address: string, uri: string, pool: string, roots: Root[],
  absent: Root[], has: string, ours: string | undefined): CheckResult {
  const enabled = roots.map((r) => `${shortName(r.ca)} (${describe(r.cert)})`).join(', ');
  const many = roots.length > 1;
  const evidence = `CA pool ${shortName(pool)} has ${many ? `${roots.length} ENABLED CAs` : 'one CA'} the proxy may ` +
    `sign with: ${enabled}${many ? ' (either can sign)' : ''}; but ${uri} (PROXY_CERT_GCS_PATH) holds ${has}, without the root of ` +
    `${absent.map((r) => shortName(r.ca)).join(', ')}: nodes would reject connections signed by it`;
  const fixes: string[] = [];
  if (absent.some((r) => sameResource(r.ca, ours))) fixes.push(uploadFix(dc, address, "the root CA's PEM"));
  const foreign = absent.filter((r) => !sameResource(r.ca, ours));
  const where = `--pool=${shortName(pool)} --location=${dc.p.config.region} --project=${dc.p.config.projectId}`;
  if (foreign.length) {
    fixes.push(`disable the CA dpgce did not create (${foreign.map((r) =>
      `gcloud privateca roots disable ${shortName(r.ca)} ${where}`).join('; ')}), or publish both roots in ${uri} ` +
      '(then the object no longer carries dpgce\'s mark, and `dpgce up` needs --adopt, which writes back only its own root)');
    if (roots.length === 1 && ours) fixes.push(`then \`dpgce up\` enables ${shortName(ours)}, the CA it created`);
  }
  return fail(PEM, evidence, fixes.join('; '));
}

export const node: CheckGroup = {
  name: 'node',
  async run(dc) {
    const checks = await Promise.all([bootScript(dc), proxyCaPem(dc), readsCheck(dc)]);
    return checks.filter((c): c is CheckResult => !!c);
  },
};
