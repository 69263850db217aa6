// The one error type the patch engines throw. It carries the HTTP status the API server should
// answer with, so routes render a Kubernetes Status without re-classifying anything.
//
// How Kubernetes classifies patch failures (k8s.io/apiserver .../handlers/patch.go):
// - a body that does not decode (not JSON, a JSON patch that is not an array of operations, a
//   strategic merge patch with a malformed directive: $setElementOrder, $retainKeys,
//   $deleteFromPrimitiveList, an unknown $patch value) -> 400 BadRequest;
// - a JSON patch that decodes but cannot be applied (unknown op, missing path, failed test) ->
//   422 with reason Invalid (Kubernetes puts the jsonpatch text in details.causes and a generic
//   "the server rejected our request due to an error in our request" in message);
// - a strategic merge patch over a list of lists -> 422;
// - more than 10000 JSON patch operations -> 413 RequestEntityTooLarge;
// - server-side apply over fields another apply manager owns with other values -> 409 Conflict,
//   one cause (reason FieldManagerConflict) per field.
// Where Kubernetes answers 500 for a patch error (for example a list element without its merge
// key, a plain Go error there), skiff answers 400 instead: the fault is in the request.

export type PatchErrorReason = 'BadRequest' | 'Invalid' | 'Conflict' | 'RequestEntityTooLarge' | 'NotFound';

/** One detail of a failure, shaped like a Kubernetes StatusCause. */
export interface PatchErrorCause {
  reason: string;
  message: string;
  /** Field path such as `.spec.replicas`; absent when the cause is not about one field. */
  field?: string;
}

const CODES: Record<PatchErrorReason, number> = {
  BadRequest: 400,
  NotFound: 404,
  Conflict: 409,
  RequestEntityTooLarge: 413,
  Invalid: 422,
};

export class PatchError extends Error {
  /** The HTTP status the server should answer with. */
  readonly code: number;
  readonly reason: PatchErrorReason;
  readonly causes: PatchErrorCause[];

  constructor(reason: PatchErrorReason, message: string, causes: PatchErrorCause[] = []) {
    super(message);
    this.name = 'PatchError';
    this.reason = reason;
    this.code = CODES[reason];
    this.causes = causes;
  }
}

/** The patch document itself is malformed: 400. */
export function badPatch(message: string): PatchError {
  return new PatchError('BadRequest', message);
}

/** The patch is well formed but cannot be applied to this object: 422. */
export function unappliable(message: string): PatchError {
  return new PatchError('Invalid', message);
}
