import { isTransient } from './errors.js';
import { Session, type SessionEvents, type Target } from './session.js';

// Builds a Session for a target. Google Cloud uses Application Default
// Credentials (optionally impersonating a service account); both emulator
// forms use a fixed fake token, so no credential is ever looked up and the
// metadata server is never probed.

const CLOUD_SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];
const EMULATOR_TOKEN = 'dpgce-emulator-token';

export interface OpenOptions extends SessionEvents {
  /** Embedded emulator: operation timing overrides (tests, benchmarks). */
  emulatorTiming?: Record<string, unknown>;
}

export async function openSession(target: Target, opts: OpenOptions = {}): Promise<Session> {
  if (target.kind === 'cloud') return openCloud(target.impersonateServiceAccount, opts);

  // 1. The emulator: embedded in this process, or already running elsewhere.
  let url: string;
  let stop = async (): Promise<void> => {};
  if (target.kind === 'local') {
    const { startEmulator } = await import('../emulator/server.js');
    const emulator = await startEmulator({ stateDir: target.stateDir, timing: opts.emulatorTiming,
      onLockWait: (m) => process.stderr.write(`dpgce: ${m}\n`) });
    url = emulator.url;
    stop = () => emulator.close();
  } else {
    url = target.url.replace(/\/+$/, '');
  }
  keepLoopbackDirect();

  // 2. A static token: nothing to refresh, nothing to probe. An embedded
  // emulator already listens: stop it if this fails, or the process never exits.
  let auth;
  try {
    const { OAuth2Client } = await import('google-auth-library');
    auth = new OAuth2Client();
    auth.setCredentials({ access_token: EMULATOR_TOKEN });
  } catch (err) {
    await stop();
    throw err;
  }

  return new Session(
    target,
    auth,
    `${url}/`,
    { minMs: 10, maxMs: 500, deadlineMs: 10 * 60_000 },
    // Nothing listening on the emulator's port will not start listening by
    // itself: fail at once instead of retrying for minutes.
    { baseMs: 50, maxDelayMs: 1000, deadlineMs: 120_000,
      retryable: (e) => isTransient(e) && !/ECONNREFUSED/.test(e.detail) },
    opts,
    stop,
  );
}

async function openCloud(impersonate: string | undefined, opts: OpenOptions): Promise<Session> {
  const { GoogleAuth, Impersonated } = await import('google-auth-library');
  let auth: unknown = new GoogleAuth({ scopes: CLOUD_SCOPES });
  if (impersonate) {
    auth = new Impersonated({
      sourceClient: await (auth as InstanceType<typeof GoogleAuth>).getClient(),
      targetPrincipal: impersonate,
      targetScopes: CLOUD_SCOPES,
      lifetime: 3600,
    });
  }
  return new Session(
    { kind: 'cloud', impersonateServiceAccount: impersonate },
    auth,
    undefined,
    { minMs: 1000, maxMs: 10_000, deadlineMs: 45 * 60_000 },
    { baseMs: 1000, maxDelayMs: 20_000, deadlineMs: 10 * 60_000 },
    opts,
  );
}

/** An HTTPS_PROXY meant for Google must not capture emulator traffic on loopback. */
function keepLoopbackDirect(): void {
  for (const key of ['NO_PROXY', 'no_proxy']) {
    const current = process.env[key];
    if (!current?.includes('127.0.0.1')) process.env[key] = current ? `${current},127.0.0.1` : '127.0.0.1';
  }
}
