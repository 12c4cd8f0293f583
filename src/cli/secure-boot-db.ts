import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { EnvConfig } from '../config/types.js';
import { readCertificate } from '../resources/signing-keys.js';
import { CliError } from './errors.js';

// The signature-database (db) file set a custom image needs so that Secure
// Boot both boots the distribution's shim (signed by Microsoft's UEFI CA)
// and loads the GPU modules dpgce's key signs (F25): the module-signing
// certificate plus the Microsoft Corporation UEFI CA 2011 and the Microsoft
// UEFI CA 2023, which replaces the 2011 CA (expiring June 2026) for what
// Microsoft signs from then on. Microsoft's certificates are not
// redistributable here: the user supplies them as files (DER or PEM), each
// checked to be X.509 before any request is sent.

export interface UefiCa {
  label: string;
  key: string;
  file: string;
  der: Buffer;
  subject: string;
}

const CAS = [
  {
    label: 'Microsoft Corporation UEFI CA 2011',
    key: 'MS_UEFI_CA_2011_FILE',
    year: '2011',
    field: 'uefiCa2011File',
    out: 'microsoft-uefi-ca-2011.der',
  },
  {
    label: 'Microsoft UEFI CA 2023',
    key: 'MS_UEFI_CA_2023_FILE',
    year: '2023',
    field: 'uefiCa2023File',
    out: 'microsoft-uefi-ca-2023.der',
  },
] as const;

const WHERE =
  'Microsoft publishes both in "Windows Secure Boot Key Creation and Management Guidance" ' +
  '(learn.microsoft.com); see docs/secure-boot.md';

/**
 * Reads and checks the Microsoft CA files named in env.json (paths relative
 * to it). Returns the certificates and the warnings to print; throws a
 * CliError naming the key or file that is wrong.
 */
export function loadUefiCas(
  config: EnvConfig,
  envFile: string,
  waive2023: boolean,
): { cas: UefiCa[]; warnings: string[] } {
  const cas: UefiCa[] = [];
  const warnings: string[] = [];
  for (const ca of CAS) {
    const path = config.cluster[ca.field];
    if (!path) {
      if (ca.year === '2023' && waive2023) {
        warnings.push(
          `${ca.key} is not set and --waive-uefi-ca-2023 was given: the db will not trust what ` +
            'Microsoft signs with its 2023 CA (newer shims and option ROMs)',
        );
        continue;
      }
      const waiver =
        ca.year === '2023' ? ', or pass --waive-uefi-ca-2023 to build the db without it' : '';
      throw new CliError(
        `${ca.key} is not set: the signature database needs the ${ca.label} certificate. ` +
          `Download it, set ${ca.key} to the file${waiver}. ${WHERE}.`,
      );
    }
    const file = resolve(dirname(envFile), path);
    if (!existsSync(file)) throw new CliError(`${ca.key}: ${file} does not exist`);
    const parsed = readCertificate(readFileSync(file));
    if (!parsed.der) {
      throw new CliError(
        `${ca.key}: ${file} is not an X.509 certificate (DER or PEM): ${parsed.error}. ${WHERE}.`,
      );
    }
    if (!parsed.subject!.includes(ca.year)) {
      warnings.push(
        `${ca.key}: ${file} has the subject "${parsed.subject}", which does not look like the ${ca.label}`,
      );
    }
    cas.push({ label: ca.label, key: ca.key, file, der: parsed.der, subject: parsed.subject! });
  }
  return { cas, warnings };
}

/** Writes the file set; returns the paths, in db order (custom certificate first). */
export function writeDbFiles(outDir: string, certificateDer: Buffer, cas: UefiCa[]): string[] {
  mkdirSync(outDir, { recursive: true });
  const custom = join(outDir, 'db.der');
  writeFileSync(custom, certificateDer);
  writeFileSync(join(outDir, 'db.pem'), new X509Certificate(certificateDer).toString());
  const files = [custom];
  for (const ca of cas) {
    const out = join(outDir, CAS.find((c) => c.key === ca.key)!.out);
    writeFileSync(out, ca.der);
    files.push(out);
  }
  // What `gcloud compute images create --signature-database-file=` takes.
  writeFileSync(join(outDir, 'signature-database-files.txt'), `${files.join(',')}\n`);
  return files;
}
