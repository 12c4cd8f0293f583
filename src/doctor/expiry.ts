import { X509Certificate } from 'node:crypto';
import { fail, pass, warn, type CheckGroup, type CheckResult, type DoctorContext } from './check.js';
import { day, desired, found, resource, shortName } from './observed.js';

// What expires: the root CA nodes trust and the certificate the gateway
// presents. A certificate dpgce uploads or creates by hand warns 30 days
// ahead. The gateway's managed certificate is renewed by Certificate
// Manager when `rotationWindowPercentage` of its lifetime has passed (its
// whole lifetime may be under 30 days), so it warns only once that renewal
// is a day overdue.

const DAY = 86_400_000;
const AHEAD = 30 * DAY;
/** How long a renewal may take before it counts as stuck. */
const RENEWAL_GRACE = DAY;

function firstCertificate(pem: unknown): X509Certificate | undefined {
  const block = String(pem ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  try {
    return block ? new X509Certificate(block) : undefined;
  } catch {
    return undefined;
  }
}

function rootCa(dc: DoctorContext): CheckResult | undefined {
  const NAME = 'expiry.root-ca';
  const d = desired(dc, 'certificate-authority.root');
  if (!d) return undefined;
  const ca = found(dc, d.address);
  const cert = firstCertificate(ca?.pemCaCertificates?.[0]);
  if (!ca || ca.state === 'DELETED' || !cert) {
    return fail(NAME, `root CA ${d.name} ${ca ? `holds no certificate (state ${ca.state})` : 'does not exist'}`,
      'run `dpgce up`: it creates the root CA and exports its PEM');
  }
  const notAfter = new Date(cert.validTo);
  const left = notAfter.getTime() - dc.now.getTime();
  const what = `root CA ${shortName(d.name)} (${cert.subject.replace(/\n/g, ', ')}) expires ${notAfter.toISOString()}`;
  const pool = shortName(dc.p.ctx.observed.get('ca-pool.swp')?.foundName ?? desired(dc, 'ca-pool.swp')?.name);
  const rotate = 'rotate it: set ROOT_CA in env.json to a new name and run `dpgce up` (it creates and enables the ' +
    'new root in the pool and exports its PEM to PROXY_CERT_GCS_PATH), restart the nodes so they trust it, then ' +
    `gcloud privateca roots disable ${shortName(d.name)} --pool=${pool} --location=${dc.p.config.region}`;
  if (left <= 0) return fail(NAME, `${what}: expired; nodes reject every inspected connection`, rotate);
  if (left < AHEAD) return warn(NAME, `${what}: in ${Math.ceil(left / DAY)} days`, rotate);
  return pass(NAME, `${what} (${day(notAfter)})`);
}

async function gatewayCertificate(dc: DoctorContext): Promise<CheckResult | undefined> {
  const NAME = 'expiry.gateway-certificate';
  const gw = desired(dc, 'gateway.swp');
  if (!gw) return undefined;
  const name: string = found(dc, gw.address)?.certificateUrls?.[0] ?? desired(dc, 'certificate.swp')?.name ?? '';
  const cm = await dc.p.session.client('certificatemanager');
  const cert = name ? await resource(dc, 'certificate.swp', name, { method: 'certificatemanager.certificates.get', resource: name },
    () => cm.projects.locations.certificates.get({ name })) : undefined;
  const x509 = firstCertificate(cert?.pemCertificate);
  const expires = x509 ? new Date(x509.validTo) : cert?.expireTime ? new Date(cert.expireTime) : undefined;
  if (!cert || !expires) {
    return fail(NAME, `gateway certificate ${name || '(none)'} ${cert ? 'has no certificate issued yet' : 'does not exist'}`,
      'run `dpgce up`; a managed certificate is issued once the pool has an ENABLED CA (see proxy.gateway-ready)');
  }
  const left = expires.getTime() - dc.now.getTime();
  const what = `gateway certificate ${shortName(name)} expires ${expires.toISOString()}`;
  const renew = cert.managed
    ? 'Certificate Manager did not renew it: check that the certificatemanager service agent holds ' +
      'roles/privateca.certificateRequester on the CA pool and the pool has an ENABLED CA (`dpgce up` restores both)'
    : 'upload a renewed certificate to it (gcloud certificate-manager certificates update)';
  if (left <= 0) return fail(NAME, `${what}: expired; the proxy's TLS fails for every client`, renew);

  const renewalDue = managedRenewal(dc, cert, x509);
  if (renewalDue) {
    const overdue = dc.now.getTime() - renewalDue.getTime() > RENEWAL_GRACE;
    if (overdue) return warn(NAME, `${what}: its renewal was due ${renewalDue.toISOString()}`, renew);
    return pass(NAME, `${what} (${day(expires)}); Certificate Manager renews it from ${day(renewalDue)}`);
  }
  if (left < AHEAD) return warn(NAME, `${what}: in ${Math.ceil(left / DAY)} days`, renew);
  return pass(NAME, `${what} (${day(expires)})`);
}

/** When a managed certificate's renewal starts: issue time plus rotationWindowPercentage of its lifetime. */
function managedRenewal(dc: DoctorContext, cert: Record<string, any>, x509: X509Certificate | undefined): Date | undefined {
  if (!cert.managed || !x509) return undefined;
  const config = found(dc, 'certificate-issuance-config.swp');
  const percent = Number(config?.rotationWindowPercentage);
  if (!percent) return undefined;
  const from = new Date(x509.validFrom).getTime();
  const lifetime = new Date(x509.validTo).getTime() - from;
  return new Date(from + (lifetime * percent) / 100);
}

export const expiry: CheckGroup = {
  name: 'expiry',
  async run(dc) {
    const checks = [rootCa(dc), await gatewayCertificate(dc)];
    return checks.filter((c): c is CheckResult => !!c);
  },
};
