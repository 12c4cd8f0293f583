import { resolve } from 'node:path';
import type { FaultConfig } from '../emulator/fault-rules.js';
import { CliError } from './errors.js';

// `dpgce emulator serve`: the emulator as a standalone server on 127.0.0.1,
// shared by any number of clients (`dpgce ... --emulator URL`, gcloud,
// googleapis, curl). It prints, on stdout, the environment that points those
// clients at it, and runs until interrupted.

export interface ServeOptions {
  port: string;
  state?: string;
  strict?: boolean;
  json?: boolean;
  /** A JSON file of fault rules: {"seed", "rules": [...]} (src/emulator/fault-rules.ts). */
  faults?: string;
  /** Overrides the file's seed. */
  faultSeed?: string;
}

/** Every API dpgce and its users call, as gcloud names the endpoint override. */
export const GCLOUD_APIS = ['compute', 'networkservices', 'networksecurity', 'certificatemanager', 'privateca',
  'iam', 'cloudresourcemanager', 'serviceusage', 'storage', 'dns', 'dataproc', 'secretmanager',
  'orgpolicy', 'networkmanagement'];

/** A token the emulator accepts; never a real credential. */
const FAKE_TOKEN = 'dpgce-emulator-token';

/** Variables for gcloud, Cloud Storage clients and dpgce itself. */
export function clientEnvironment(url: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const api of GCLOUD_APIS) env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api.toUpperCase()}`] = `${url}/`;
  return {
    ...env,
    CLOUDSDK_AUTH_ACCESS_TOKEN: FAKE_TOKEN,
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
    // gcloud probes the metadata server on a fresh configuration: refuse at once.
    GCE_METADATA_ROOT: '127.0.0.1:1',
    // Node's @google-cloud/storage takes the base URL, Python's the origin.
    STORAGE_EMULATOR_HOST: url,
  };
}

/** The rules of --faults, checked here so that a bad file names itself and its first problem. */
async function faultRules(file: string, seed?: string): Promise<FaultConfig> {
  const { readFileSync } = await import('node:fs');
  const { checkRules } = await import('../emulator/fault-rules.js');
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`--faults ${file}: ${(err as Error).message}`);
  }
  if (seed !== undefined) {
    if (!/^\d+$/.test(seed)) throw new CliError(`--fault-seed ${seed}: expected a whole number`);
    parsed = { ...parsed, seed: Number(seed) };
  }
  return checkRules(parsed, (m) => new CliError(`--faults ${file}: ${m}`));
}

export async function serve(opts: ServeOptions): Promise<void> {
  // 1. The port and the state folder.
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port ${opts.port}: expected a port number from 0 to 65535 (0 picks a free one)`);
  }
  const faults = opts.faults ? await faultRules(opts.faults, opts.faultSeed) : undefined;
  const { startEmulator } = await import('../emulator/server.js');
  const emulator = await startEmulator({
    port, faults, serving: true,
    stateDir: opts.state ? resolve(opts.state) : undefined,
    strict: opts.strict === undefined ? undefined : { enabled: opts.strict },
  }).catch((err: Error) => {
    throw new CliError(`cannot start the emulator on 127.0.0.1:${port}: ${err.message}`);
  });

  // 2. Tell clients where it is.
  const env = clientEnvironment(emulator.url);
  if (opts.json) process.stdout.write(JSON.stringify({ url: emulator.url, env }) + '\n');
  else for (const [k, v] of Object.entries(env)) process.stdout.write(`export ${k}=${v}\n`);
  const faultNote = faults ? `; ${faults.rules.length} fault rule(s), seed ${faults.seed ?? 0}` : '';
  process.stderr.write(`dpgce emulator listening on ${emulator.url} (state: ${opts.state ?? 'in memory'}; ` +
    `strict mode ${emulator.settings.strict.enabled ? 'on' : 'off'}${faultNote}); ` +
    `dpgce: --emulator ${emulator.url}; ` +
    'controls under /_emulator/; Ctrl-C stops it\n');

  // 3. Run until told to stop; state is already written through.
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void emulator.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
