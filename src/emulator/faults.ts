import { ApiError } from './errors.js';
import type { Reply } from './router.js';

// The hook point for fault injection. The server asks the hook about every
// API request before routing it; the hook may answer instead of the API (an
// injected error), delay it, or let it through. `PUT /_emulator/faults`
// hands the hook its rules. Rules themselves (matching by API, method, path
// and call count, with a seed) are not built yet: the default hook lets
// everything through and refuses to be configured, so no test can believe
// it injected a fault that never happened.

/** What a fault rule can match on. Never headers. */
export interface FaultRequest {
  api: string;
  method: string;
  path: string;
  query: URLSearchParams;
}

export interface FaultHook {
  /** A reply to send instead of the API's, or undefined to let the request through. */
  intercept(req: FaultRequest): Reply | undefined | Promise<Reply | undefined>;
  /** Takes the body of `PUT /_emulator/faults`; returns what `GET` shows. */
  configure(rules: unknown): unknown;
  /** What `GET /_emulator/faults` shows. */
  describe(): unknown;
}

export const NO_FAULTS: FaultHook = {
  intercept: () => undefined,
  configure: () => {
    throw new ApiError(501, 'fault injection rules are not implemented in this emulator yet', 'UNIMPLEMENTED');
  },
  describe: () => ({ rules: [] }),
};
