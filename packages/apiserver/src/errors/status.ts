// The one error catalog of the API server. Every failure leaves as a Kubernetes `Status` built
// here, with the reason, code and message wording of kube-apiserver so kubectl prints what a user
// of Kubernetes expects ("Error from server (NotFound): pods \"x\" not found").
import type { FieldCause, StatusCause, StatusDetails } from '@skiff/api';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

// The cause and details shapes are the api package's (metav1.StatusCause, metav1.StatusDetails).
export type { StatusCause, StatusDetails };

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** What an error needs to name the resource it is about: plural (`deployments`), group (`apps`), kind (`Deployment`). */
export interface ResourceRef {
  plural: string;
  group: string;
  kind?: string;
}

/** An error with a Kubernetes Status; thrown anywhere, rendered by the app's error handler. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;
  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    // Field order as kube-apiserver writes it: ..., reason, details, code.
    const s = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason } as Status;
    if (this.details) s.details = this.details;
    s.code = this.code;
    return s;
  }
}

/** `deployments.apps` / `pods`: how Kubernetes names a resource in messages. */
export function qualifiedResource(r: ResourceRef): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

/** `Deployment.apps` / `Pod`: how Kubernetes names a kind in Invalid messages. */
export function qualifiedKind(r: ResourceRef): string {
  const kind = r.kind ?? r.plural;
  return r.group ? `${kind}.${r.group}` : kind;
}

function details(r: ResourceRef, name: string, extra?: Partial<StatusDetails>): StatusDetails {
  const d: StatusDetails = { name };
  if (r.group) d.group = r.group;
  d.kind = r.plural;
  return extra ? { ...d, ...extra } : d;
}

export function notFound(r: ResourceRef, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(r)} "${name}" not found`, details(r, name));
}

export function alreadyExists(r: ResourceRef, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(r)} "${name}" already exists`, details(r, name));
}

/** 409 Conflict; without `why` the stale-resourceVersion wording. */
export function conflict(r: ResourceRef, name: string, why?: string): ApiError {
  const reason = why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": ${reason}`, details(r, name));
}

/** 422 Invalid listing every cause, worded like Kubernetes' field.ErrorList aggregate. */
export function invalid(r: ResourceRef, name: string, causes: FieldCause[]): ApiError {
  const lines = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  const d: StatusDetails = { name };
  if (r.group) d.group = r.group;
  d.kind = r.kind ?? r.plural;
  d.causes = causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field }));
  return new ApiError(422, 'Invalid', `${qualifiedKind(r)} "${name}" is invalid: ${summary}`, d);
}

export function badRequest(message: string, d?: StatusDetails): ApiError {
  return new ApiError(400, 'BadRequest', message, d);
}

/** 403 Forbidden about one object: `<resource> "<name>" is forbidden: <why>`. */
export function forbidden(r: ResourceRef, name: string, why: string, causes?: StatusCause[]): ApiError {
  return new ApiError(403, 'Forbidden', `${qualifiedResource(r)} "${name}" is forbidden: ${why}`, details(r, name, causes ? { causes } : undefined));
}

export function namespaceTerminating(r: ResourceRef, name: string, namespace: string): ApiError {
  return forbidden(r, name, `unable to create new content in namespace ${namespace} because it is being terminated`, [
    { reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' },
  ]);
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  if (contentType.startsWith('application/vnd.kubernetes.protobuf')) {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      'skiff decodes protobuf request bodies only for the Namespaces, Deployments and Services kubectl create makes; ' +
        'send JSON or YAML instead, e.g. ' +
        '`kubectl create deployment x --image=y --dry-run=client -o yaml | kubectl apply -f -`',
    );
  }
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** 406, as kube-apiserver's for an Accept header it cannot satisfy. */
export function notAcceptable(accept: string, served: string[]): ApiError {
  return new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${served.join(', ')} (asked for ${JSON.stringify(accept)})`);
}

export function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export function internal(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

/** Success Status, e.g. the reply to a binding or a delete of a kind that does not return the object. */
export function successStatus(code: number | undefined, d?: StatusDetails): Record<string, unknown> {
  const s: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  if (d) s.details = d;
  if (code !== undefined) s.code = code;
  return s;
}
