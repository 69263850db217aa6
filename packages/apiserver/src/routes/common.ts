// Helpers shared by the resource and subresource routes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { KubeObject } from '@skiff/api';
import { ApiError, badRequest, methodNotAllowed, unsupportedMediaType } from '../errors/status.ts';
import { decodeText, patchBody } from '../http/body.ts';
import { PATCH_CONTENT_TYPES, PatchError, patchTypeOf } from '../patch/index.ts';
import type { PatchType } from '../patch/index.ts';

type Params = { namespace?: string; name?: string };

export const PATCH_MEDIA_TYPES = Object.values(PATCH_CONTENT_TYPES);

/** Unregistered methods on a known path are 405 MethodNotAllowed, as Kubernetes answers. */
export function methodNotAllowedFor(app: FastifyInstance, url: string, used: string[]): void {
  const rest = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !used.includes(m));
  if (rest.length) app.route({ method: rest as any, url, handler: () => { throw methodNotAllowed(); } });
}

export function paramsOf(req: FastifyRequest): { namespace: string; name: string } {
  const p = req.params as Params;
  return { namespace: p.namespace ?? '', name: p.name ?? '' };
}

/** Stored objects begin with apiVersion and kind (list rendering relies on it). */
export function orderTypeMeta(o: KubeObject): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = o;
  return { apiVersion, kind, metadata, ...rest };
}

/** Reads the PATCH body by its media type; 415 for others, 400 when the document does not decode. */
export function decodePatch(req: FastifyRequest): { type: PatchType; doc: unknown; text: string } {
  const { text, mediaType } = patchBody(req);
  const type = patchTypeOf(mediaType);
  if (!type) throw unsupportedMediaType(mediaType, PATCH_MEDIA_TYPES);
  if (text.trim() === '') throw badRequest('the patch body is empty');
  let doc: unknown;
  if (type === 'apply-patch') doc = decodeText(text, 'yaml');
  else {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    if (type === 'json-patch' ? !Array.isArray(doc) : typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw badRequest(type === 'json-patch' ? 'the JSON patch must be an array of operations' : 'the patch must be a JSON object');
    }
  }
  return { type, doc, text };
}

export function patchPinsResourceVersion(type: PatchType, doc: unknown): boolean {
  if (type === 'json-patch') return (doc as { path?: unknown }[]).some((op) => op && op.path === '/metadata/resourceVersion');
  const m = (doc as { metadata?: { resourceVersion?: unknown } }).metadata;
  return !!m && m.resourceVersion !== undefined && m.resourceVersion !== null && m.resourceVersion !== '';
}

/** PatchError (from the patch engines) carries its HTTP code; render it as a Status. */
export function fromPatchError(e: unknown): unknown {
  if (!(e instanceof PatchError)) return e;
  return new ApiError(e.code, e.reason, e.message, e.causes.length ? { causes: e.causes } : undefined);
}

