import { GcpError, scrub } from '../gcp/errors.js';
import { warn, type CheckResult } from './check.js';

// A preflight read the caller may not be allowed to make (Org Policy,
// testIamPermissions, a region's quotas) is a warning that says what could
// not be read and why, never a crash: the other checks still answer.

export function couldNotRead(name: string, what: string, err: unknown, fix: string): CheckResult {
  if (!(err instanceof GcpError)) throw err;
  const status = `${err.httpStatus || 'no response'} ${err.status}`.trim();
  return warn(name, `could not read ${what} (${err.site.method} ${err.site.resource}): ${status}: ` +
    scrub(err.detail), fix);
}
