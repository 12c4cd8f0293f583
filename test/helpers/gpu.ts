// A working folder for the GPU example (examples/env-gpu.json): the env file
// with optional changes, and stand-ins for Microsoft's two UEFI CA
// certificates (self-signed here, with Microsoft's subject names followed by
// "test stand-in"; the real ones come from Microsoft, see docs/secure-boot.md).

import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { parse } from 'jsonc-parser';
import { loadEnvText } from '../../src/config/load.js';
import { deriveNames } from '../../src/config/names.js';
import type { EnvConfig } from '../../src/config/types.js';
import { desiredGraph, type GraphOptions } from '../../src/plan/graph.js';
import type { Desired } from '../../src/resources/types.js';
import { REPO_ROOT } from './example.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const GPU_ENV = new URL('examples/env-gpu.json', REPO_ROOT).pathname;

/** The example's values, parsed (comments dropped). */
export const gpuValues = (): Record<string, unknown> => parse(readFileSync(GPU_ENV, 'utf8'));

/** The example's config with changes (a key set to undefined is removed). */
export function gpuConfig(changes: Record<string, unknown> = {}): EnvConfig {
  const values: Record<string, unknown> = { ...gpuValues(), ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete values[k];
  const { config, diagnostics } = loadEnvText(JSON.stringify(values), 'env.json');
  if (!config) throw new Error(`GPU example invalid: ${JSON.stringify(diagnostics)}`);
  return config;
}

export function gpuGraph(
  changes: Record<string, unknown> = {},
  options: GraphOptions = {},
): Desired[] {
  const config = gpuConfig(changes);
  return desiredGraph(config, deriveNames(config), { bootScript: '#!/bin/bash\n' }, options);
}

/** A self-signed certificate with this common name, DER. */
export async function standInCertificate(commonName: string): Promise<Buffer> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, false, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return Buffer.from(cert.rawData);
}

export interface GpuWorkspace {
  dir: string;
  env: string;
  state: string;
}

/**
 * A fresh folder with env.json (the example plus `changes`; a key set to
 * undefined is removed) and uefi/ holding the 2011 stand-in as DER and the
 * 2023 one as PEM, at the paths the example names.
 */
export async function gpuWorkspace(changes: Record<string, unknown> = {}): Promise<GpuWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), 'dpgce-gpu-'));
  const values: Record<string, unknown> = { ...gpuValues(), ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete values[k];
  const env = join(dir, 'env.json');
  writeFileSync(env, JSON.stringify(values, null, 2));
  mkdirSync(join(dir, 'uefi'));
  writeFileSync(
    join(dir, 'uefi/MicCorUEFCA2011_2011-06-27.crt'),
    await standInCertificate('Microsoft Corporation UEFI CA 2011 (test stand-in)'),
  );
  const der2023 = await standInCertificate('Microsoft UEFI CA 2023 (test stand-in)');
  writeFileSync(join(dir, 'uefi/microsoft-uefi-ca-2023.crt'), new X509Certificate(der2023).toString());
  return { dir, env, state: join(dir, 'state') };
}

/** The one Dataproc cluster in an emulator state file. */
export function storedCluster(resources: Record<string, any>): Record<string, any> | undefined {
  const key = Object.keys(resources).find((k) =>
    /^projects\/[^/]+\/regions\/[^/]+\/clusters\/[^/]+$/.test(k),
  );
  return key ? resources[key] : undefined;
}
