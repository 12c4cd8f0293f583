// Google's error envelope, in the two dialects the emulated APIs speak.
// Compute, Cloud Storage and IAM add the legacy `errors[]` list with a
// `reason`; the newer APIs send only code, message and the gRPC status name.

/** gRPC status name for each HTTP status the emulator returns. */
const GRPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** An error response. Throw it from a handler; the server renders it. */
export class ApiError extends Error {
  /** google.rpc detail messages (ErrorInfo, BadRequest...), sent as `details`. */
  details?: unknown[];

  constructor(
    readonly code: number,
    message: string,
    /** gRPC status name; defaults from the HTTP code. */
    readonly status: string = GRPC_STATUS[code] ?? 'UNKNOWN',
    /** Legacy reason (`notFound`, `alreadyExists`, `invalid`, ...), if any. */
    readonly reason?: string,
  ) {
    super(message);
  }

  /** The JSON body Google sends for this error. */
  envelope(): unknown {
    const error: Record<string, unknown> = {
      code: this.code,
      message: this.message,
      status: this.status,
    };
    if (this.reason) {
      error.errors = [{ domain: 'global', reason: this.reason, message: this.message }];
    }
    if (this.details) error.details = this.details;
    return { error };
  }

  withDetails(details: unknown[]): this {
    this.details = details;
    return this;
  }
}

/** 400 with compute's `invalid` reason. */
export const invalid = (message: string, legacy = true): ApiError =>
  new ApiError(400, message, 'INVALID_ARGUMENT', legacy ? 'invalid' : undefined);

/** 404 in the newer APIs' wording. */
export const notFound = (name: string): ApiError =>
  new ApiError(404, `Resource '${name}' was not found`, 'NOT_FOUND');

/** 409 in the newer APIs' wording. */
export const alreadyExists = (kind: string, name: string): ApiError =>
  new ApiError(409, `${kind} "${name}" already exists`, 'ALREADY_EXISTS');

/** 400 FAILED_PRECONDITION (state rules: CA not disabled, pool not empty...). */
export const failedPrecondition = (message: string): ApiError =>
  new ApiError(400, message, 'FAILED_PRECONDITION');

/** google.rpc.Status for an operation that ends in error (gRPC code numbers). */
export const GRPC_CODE: Record<string, number> = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
};
