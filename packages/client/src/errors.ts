// Every failed request becomes an ApiError carrying the server's Status, so callers branch on
// `reason`/`code` (isNotFound, isConflict, ...) rather than on message text.
import type { StatusCause, StatusDetails } from '@skiff/api';

// The cause and details shapes are the api package's (metav1.StatusCause, metav1.StatusDetails).
export type { StatusCause, StatusDetails };

/** The `Status` object (`v1`) the API server answers every error with. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata?: Record<string, unknown>;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

export class ApiError extends Error {
  readonly status: Status;
  /** HTTP status code, e.g. 404. */
  readonly code: number;
  /** Machine-readable reason, e.g. `NotFound`, `Conflict`, `AlreadyExists`, `Expired`. */
  readonly reason: string;

  constructor(status: Status) {
    super(status.message || `${status.reason ?? 'Unknown'} (${status.code ?? 0})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = status.code ?? 0;
    this.reason = status.reason ?? '';
  }
}

/** Reasons Kubernetes gives for a status code when the body carries no Status (client-go's table). */
const REASON_BY_CODE: Record<number, [reason: string, message: string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Gone', 'the server has asked for the client to restart the request'],
  413: ['RequestEntityTooLarge', 'the request is too large'],
  415: ['UnsupportedMediaType', 'the server does not support the media type of the request'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  500: ['InternalError', 'an error on the server has prevented the request from succeeding'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted'],
};

function isStatus(body: unknown): body is Status {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status';
}

/** Builds the error for a non-2xx response from its code and raw body. */
export function apiErrorFromResponse(code: number, body: string): ApiError {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) return new ApiError({ ...parsed, code: parsed.code ?? code });
  const [reason, message] = REASON_BY_CODE[code] ?? ['Unknown', `an error on the server ("${body.slice(0, 200)}") has prevented the request from succeeding`];
  return new ApiError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
}

/** Builds the error for an `ERROR` watch event, whose object is a Status. */
export function apiErrorFromStatus(status: unknown): ApiError {
  if (isStatus(status)) return new ApiError(status);
  return new ApiError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, reason: 'InternalError', message: `unexpected watch error object: ${JSON.stringify(status)}` });
}

function codeOf(err: unknown): number | undefined {
  return err instanceof ApiError ? err.code : undefined;
}

export function isNotFound(err: unknown): boolean {
  return codeOf(err) === 404;
}

/** A stale resourceVersion on update (409 Conflict); not an AlreadyExists. */
export function isConflict(err: unknown): boolean {
  return codeOf(err) === 409 && (err as ApiError).reason !== 'AlreadyExists';
}

export function isAlreadyExists(err: unknown): boolean {
  return codeOf(err) === 409 && (err as ApiError).reason === 'AlreadyExists';
}

/** 410: the resourceVersion asked for is too old (reason `Expired` or `Gone`); relist. */
export function isGone(err: unknown): boolean {
  return codeOf(err) === 410;
}

export function isForbidden(err: unknown): boolean {
  return codeOf(err) === 403;
}

export function isInvalid(err: unknown): boolean {
  return codeOf(err) === 422;
}
