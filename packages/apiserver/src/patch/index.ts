// Patch engines for the API server's PATCH requests: pure functions over plain JSON values.
// Routes normally need only patchTypeOf and applyPatch; the engines are exported for tests and
// for callers that already know their patch type.

export { applyPatch, type ApplyPatchOptions, type PatchResult } from './apply-patch.ts';
export { patchTypeOf, PATCH_CONTENT_TYPES, type PatchType } from './patch-type.ts';
export { PatchError, type PatchErrorCause, type PatchErrorReason } from './errors.ts';
export { applyMergePatch } from './merge-patch.ts';
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS, type JsonPatchOperation } from './json-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge-patch.ts';
export { applyServerSideApply, type ServerSideApplyOptions, type ServerSideApplyResult } from './server-side-apply.ts';
export { schemaForKind, type FieldSchema, type Schema } from './merge-keys.ts';
export type { JsonObject, JsonValue } from './json.ts';
