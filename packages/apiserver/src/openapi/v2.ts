// GET /openapi/v2: the Swagger 2.0 document, as kube-apiserver still serves it beside v3, made
// from the same component schemas as the v3 documents (every group-version's, merged), so it
// describes every kind they do, the review kinds included. kubectl 1.32 needs it for the kinds
// whose v3 document has no PATCH operation to say that the server validates fields (the create-only
// review kinds: TokenReview, SubjectAccessReview, ...): it then validates a file's object on the
// client, against the definitions of /openapi/v2, which it asks for in gnostic's protobuf form
// (v2-protobuf.ts); other clients get JSON.
//
// The document carries definitions and no paths. kubectl reads v2's paths only to learn whether a
// kind's PATCH takes fieldValidation, and where a kind is missing there it asks whether it is a
// CustomResourceDefinition, a kind skiff does not serve; without paths, every kind v3 could not
// settle is validated on the client, which is what Kubernetes ends up doing for the review kinds.
import { createHash } from 'node:crypto';
import { COMPONENT_PREFIX, MODEL_KUBERNETES_VERSION, type OpenAPISchema } from '@skiff/api';
import { encodeSwagger, type SwaggerJson } from './v2-protobuf.ts';

const DEFINITION_PREFIX = '#/definitions/';

export interface SwaggerDocument {
  json: Buffer;
  protobuf: Buffer;
  /** Upper-case hex SHA-512 of the JSON body: the ETag of both forms. */
  hash: string;
}

/** The v2 form of a v3 component schema: `#/definitions/` references, a lone `allOf` $ref as a plain $ref. */
export function v2Schema(s: OpenAPISchema): OpenAPISchema {
  const out: OpenAPISchema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') out.$ref = (v as string).replace(COMPONENT_PREFIX, DEFINITION_PREFIX);
    // v3 wraps a $ref in allOf when the property has a description or default of its own; in
    // Swagger 2.0 Kubernetes writes them beside the $ref.
    else if (k === 'allOf' && Array.isArray(v) && v.length === 1 && typeof v[0]?.$ref === 'string') out.$ref = (v[0].$ref as string).replace(COMPONENT_PREFIX, DEFINITION_PREFIX);
    else if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Record<string, OpenAPISchema>).map(([name, p]) => [name, v2Schema(p)]));
    else if ((k === 'items' || k === 'additionalProperties') && typeof v === 'object' && v !== null) out[k] = v2Schema(v as OpenAPISchema);
    else if (k === 'allOf') out.allOf = (v as OpenAPISchema[]).map(v2Schema);
    else out[k] = v;
  }
  return out;
}

/** The Swagger 2.0 document of the given v3 documents' component schemas. */
export function buildSwagger(v3: readonly { components: { schemas: Record<string, OpenAPISchema> } }[]): SwaggerDocument {
  const merged: Record<string, OpenAPISchema> = {};
  for (const doc of v3) Object.assign(merged, doc.components.schemas);
  const definitions = Object.fromEntries(Object.keys(merged).sort().map((name) => [name, v2Schema(merged[name])]));
  const doc: SwaggerJson = { swagger: '2.0', info: { title: 'Kubernetes', version: `${MODEL_KUBERNETES_VERSION}-skiff` }, paths: {}, definitions };
  const json = Buffer.from(JSON.stringify(doc));
  return { json, protobuf: encodeSwagger(doc), hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
}
