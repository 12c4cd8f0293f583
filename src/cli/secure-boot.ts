import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDiagnostics } from '../config/diagnostics.js';
import { loadEnvFile } from '../config/load.js';
import { deriveNames } from '../config/names.js';
import { HANDLERS } from '../resources/index.js';
import { ensureSigningSecrets } from '../resources/signing-secrets.js';
import type { Desired, RunContext } from '../resources/types.js';
import { debug, resolveTarget, type TargetOptions } from './context.js';
import { CliError } from './errors.js';
import { printJson, useColor } from './output.js';
import { loadUefiCas, writeDbFiles } from './secure-boot-db.js';

// `dpgce secure-boot keys`: the module-signing key pair in Secret Manager
// (created once, then reused and re-checked), and the signature-database
// file set a custom image needs (secure-boot-db.ts). The Microsoft CA files
// are checked before any request; the private key is never printed or
// written to disk.

export interface SecureBootOptions extends TargetOptions {
  out?: string;
  waiveUefiCa2023?: boolean;
}

const SERVICE: Desired = {
  address: 'service.secretmanager',
  kind: 'service',
  name: 'services/secretmanager.googleapis.com',
  dependsOn: [],
  spec: { service: 'secretmanager.googleapis.com' },
};

export async function secureBootKeys(opts: SecureBootOptions): Promise<void> {
  // 1. Configuration and the Microsoft CA files: every problem before any request.
  const { config, diagnostics } = await loadEnvFile(opts.env);
  if (diagnostics.length)
    process.stderr.write(formatDiagnostics(diagnostics, useColor(process.stderr)));
  if (!config) throw new CliError(`${opts.env} is not valid; nothing was sent`);
  const names = deriveNames(config);
  const { cas, warnings } = loadUefiCas(config, opts.env, !!opts.waiveUefiCa2023);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);

  // 2. The session; Secret Manager enabled (never disabled later).
  const { openSession } = await import('../gcp/open-session.js');
  const session = await openSession(resolveTarget(opts), {
    onRetry: (site, detail, delayMs) =>
      debug(`retry ${site.method} ${site.resource} in ${delayMs}ms: ${detail}`),
  });
  const ctx: RunContext = {
    session,
    config,
    names,
    purpose: 'up',
    observed: new Map(),
    projectNumber: async () => {
      throw new Error('not needed by secure-boot keys');
    },
  };
  try {
    if (!(await HANDLERS.service.read(ctx, SERVICE)).exists)
      await HANDLERS.service.create(ctx, SERVICE);

    // 3. The key pair, then the file set.
    const secrets = await ensureSigningSecrets(ctx);
    const outDir = resolve(opts.out ?? join('.dpgce', 'secure-boot', names.ownerMark));
    const files = writeDbFiles(outDir, secrets.certificateDer, cas);
    const metadata = {
      private_secret_name: names.signingKeySecret,
      public_secret_name: names.signingCertSecret,
      secret_project: config.projectId,
      secret_version: secrets.version,
      modulus_md5sum: secrets.modulusMd5,
    };
    writeFileSync(
      join(outDir, 'metadata.txt'),
      Object.entries(metadata)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    );

    // 4. Report.
    if (opts.json) {
      printJson({ created: secrets.created, metadata, signatureDatabaseFiles: files, outDir });
      return;
    }
    process.stdout.write(
      `${secrets.created ? 'Created' : 'Reused'} the module-signing key pair ` +
        `(${names.signingKeySecret}, ${names.signingCertSecret}, version ${secrets.version}, ` +
        `modulus md5 ${secrets.modulusMd5}).\n` +
        `Signature database files in ${outDir}; build the custom image with\n` +
        `  --signature-database-file=${files.join(',')}\n`,
    );
  } finally {
    await session.close();
  }
}
