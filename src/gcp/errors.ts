// One error type for every failed Google API call. It carries what a
// platform engineer needs to act: the method, the resource, the HTTP status,
// Google's status and reason, and the message; never a header or a token.

export interface CallSite {
  /** `compute.networks.insert`, `privateca.caPools.get`, ... */
  method: string;
  /** Full resource name the call was about. */
  resource: string;
}

export class GcpError extends Error {
  constructor(
    readonly site: CallSite,
    /** HTTP status, or 0 when no response arrived (connection reset, DNS...). */
    readonly httpStatus: number,
    /** gRPC status name (`NOT_FOUND`) or compute operation error code. */
    readonly status: string,
    readonly reason: string,
    readonly detail: string,
  ) {
    // Storage and Compute errors carry a reason but no status name: no double space then.
    super(`${site.method} ${site.resource}: ${[httpStatus || 'no response', status].filter(Boolean).join(' ')}` +
      `${reason ? ` (${reason})` : ''}: ${detail}`);
  }

  get notFound(): boolean {
    return this.httpStatus === 404;
  }

  get alreadyExists(): boolean {
    return this.httpStatus === 409 && this.status !== 'ABORTED' && !/concurrent/i.test(this.detail);
  }
}

/** Converts whatever gaxios threw into a GcpError. */
export function toGcpError(err: unknown, site: CallSite): GcpError {
  if (err instanceof GcpError) return err;
  const e = err as { response?: { status?: number; data?: any }; code?: string; message?: string };
  const status = e.response?.status ?? 0;
  const body = e.response?.data?.error;
  if (body && typeof body === 'object') {
    const reason = body.errors?.[0]?.reason ?? body.details?.find((d: any) => d.reason)?.reason ?? '';
    return new GcpError(site, status, body.status ?? '', reason, scrub(String(body.message ?? '') + violations(body)));
  }
  const detail = typeof e.response?.data === 'string' && e.response.data
    ? e.response.data.slice(0, 200)
    : (e.code ?? e.message ?? String(err));
  // google-auth-library found no Application Default Credentials: say what to do.
  if (!status && /Could not load the default credentials/.test(detail)) {
    return new GcpError(site, 0, 'UNAUTHENTICATED', '', 'no Google Cloud credentials were found: run ' +
      '`gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a key file), ' +
      'or add --local (or --emulator URL) to use the emulator');
  }
  return new GcpError(site, status, status ? '' : 'UNAVAILABLE', '', scrub(detail));
}

/** A google.rpc.BadRequest's field violations: "Config validation failed" alone says nothing. */
function violations(body: any): string {
  const found = (Array.isArray(body.details) ? body.details : [])
    .flatMap((d: any) => (Array.isArray(d?.fieldViolations) ? d.fieldViolations : []))
    .map((v: any) => `${v.field}: ${v.description}`);
  return found.length ? ` (${found.join('; ')})` : '';
}

/** Removes bearer tokens and signed-URL signatures from any text we print. */
export function scrub(text: string): string {
  return text
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]')
    .replace(/\bya29\.[A-Za-z0-9._-]+/g, '[redacted token]')
    .replace(/((?:access|refresh|id)_token|client_secret)(["'=:\s]+)[A-Za-z0-9._~+/=-]+/gi, '$1$2[redacted]')
    .replace(/(X-Goog-Signature=)[0-9a-f]+/gi, '$1[redacted]')
    .replace(/([?&]Signature=)[^&\s"']+/g, '$1[redacted]')
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[private key redacted]')
    // A key cut short (a truncated body) has no END line: drop the rest.
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*/g, '[private key redacted]');
}

/**
 * Transient failures worth retrying as they are: throttling, server errors
 * that say "try again" (408, 429, 500, 502, 503, 504), lost connections. Not
 * 501 UNIMPLEMENTED, an answer rather than an outage, nor 409 ABORTED: that
 * is a stale etag, and sending the same body again fails again; the IAM
 * writer re-reads instead. Never a 400: only callers that know a
 * propagation error (isPropagation) retry one.
 */
export function isTransient(err: GcpError): boolean {
  if (err.httpStatus === 0) return err.status === 'UNAVAILABLE' && NETWORK_ERROR.test(err.detail);
  return RETRYABLE_STATUS.has(err.httpStatus);
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * What Node reports when a connection fails or drops, or a reply takes longer
 * than the request timeout (gaxios aborts it); not a bad URL, not a bug.
 */
const NETWORK_ERROR =
  /ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|socket hang up|other side closed|operation was aborted/i;

/**
 * The API is off in the project: 403 with reason SERVICE_DISABLED (an
 * ErrorInfo) or, in compute's legacy list, accessNotConfigured. Right after
 * an enable it is also what the service answers while the change propagates.
 */
export function isServiceDisabled(err: GcpError): boolean {
  if (err.httpStatus !== 403) return false;
  return /^(SERVICE_DISABLED|accessNotConfigured)$/.test(err.reason) ||
    /has not been used in project .* before or it is disabled/.test(err.detail);
}

/**
 * IAM propagation: a grant just made is not yet visible to the service that
 * checks it. These show as PERMISSION_DENIED (403, or 400 FAILED_PRECONDITION
 * naming a permission) for a while after the grant.
 */
export function isPropagation(err: GcpError): boolean {
  if (err.httpStatus === 403) return true;
  return err.httpStatus === 400 && /permission|service agent|not authorized/i.test(err.detail);
}
