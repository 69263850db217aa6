// The four PATCH content types Kubernetes accepts, and the one name each goes by in skiff.

export type PatchType = 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

/** Content type of each patch type, e.g. for OpenAPI `consumes` or a 415's message. */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  'json-patch': 'application/json-patch+json',
  'merge-patch': 'application/merge-patch+json',
  'strategic-merge-patch': 'application/strategic-merge-patch+json',
  'apply-patch': 'application/apply-patch+yaml',
};

const byContentType = new Map(Object.entries(PATCH_CONTENT_TYPES).map(([type, mime]) => [mime, type as PatchType]));

/**
 * The patch type of a Content-Type header, ignoring parameters (`; charset=utf-8`) and case;
 * undefined for anything else, which the route answers with 415 Unsupported Media Type.
 */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  if (contentType === undefined) return undefined;
  const mime = contentType.split(';')[0].trim().toLowerCase();
  return byContentType.get(mime);
}
