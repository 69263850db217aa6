// The OpenAPI v3 documents, one per group-version, built once at startup: the paths of the
// group-version's resources (paths.ts) and every component schema they reach, generated from the
// object model in @skiff/api (the same definition that decodes request bodies).
import { createHash } from 'node:crypto';
import { apiGroups, MODEL_KUBERNETES_VERSION, openAPIComponents, RESOURCES, REVIEW_RESOURCES, type OpenAPISchema, type ResourceInfo } from '@skiff/api';
import { META, resourcePaths, schemaName } from './paths.ts';
import { buildSwagger, type SwaggerDocument } from './v2.ts';

export interface OpenApiDocument {
  /** `api/v1`, `apis/apps/v1`. */
  key: string;
  body: Buffer;
  /** Upper-case hex SHA-512 of the body, as kube-apiserver computes it. */
  hash: string;
}

export interface OpenApiDocuments {
  /** The `GET /openapi/v3` discovery document. */
  root: { paths: Record<string, { serverRelativeURL: string }> };
  byKey: Map<string, OpenApiDocument>;
  /** The Swagger 2.0 document of /openapi/v2: the same component schemas, merged (v2.ts); made on first use (~40 ms). */
  v2(): SwaggerDocument;
}

/** Every `#/components/schemas/...` name `node` refers to. */
function refsIn(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const v of node) refsIn(v, into);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') into.add(v.slice(v.lastIndexOf('/') + 1));
      else refsIn(v, into);
    }
  }
  return into;
}

interface V3Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, unknown>;
  components: { schemas: Record<string, OpenAPISchema> };
}

function documentFor(resources: readonly ResourceInfo[]): V3Document {
  const paths: Record<string, unknown> = {};
  const roots = new Set<string>([`${META}Status`, `${META}DeleteOptions`]);
  for (const r of resources) {
    Object.assign(paths, resourcePaths(r));
    roots.add(schemaName(r));
    // The create-only review kinds have no list.
    if (r.verbs.includes('list')) roots.add(schemaName({ ...r, kind: r.listKind }));
  }
  refsIn(paths, roots);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: `${MODEL_KUBERNETES_VERSION}-skiff` },
    paths,
    components: { schemas: openAPIComponents([...roots]) },
  };
}

export interface BuildOptions {
  resources?: readonly ResourceInfo[];
}

export function buildOpenApi(opts: BuildOptions = {}): OpenApiDocuments {
  // Every group-version in discovery, the review APIs included: kubectl validates a file's
  // objects against these (`kubectl create -f` of a SubjectAccessReview looks its kind up here).
  const groups = opts.resources ? groupsOf(opts.resources) : apiGroups([...RESOURCES, ...REVIEW_RESOURCES]);
  const byKey = new Map<string, OpenApiDocument>();
  const root: OpenApiDocuments['root'] = { paths: {} };
  const documents: V3Document[] = [];
  for (const g of groups) {
    const key = g.group === '' ? `api/${g.version}` : `apis/${g.group}/${g.version}`;
    const doc = documentFor(g.resources);
    documents.push(doc);
    const body = Buffer.from(JSON.stringify(doc));
    const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
    byKey.set(key, { key, body, hash });
    root.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  let v2: SwaggerDocument | undefined;
  return { root, byKey, v2: () => (v2 ??= buildSwagger(documents)) };
}

function groupsOf(resources: readonly ResourceInfo[]) {
  const groups = new Map<string, { group: string; version: string; resources: ResourceInfo[] }>();
  for (const r of resources) {
    const key = `${r.group}/${r.version}`;
    const g = groups.get(key) ?? { group: r.group, version: r.version, resources: [] };
    g.resources.push(r);
    groups.set(key, g);
  }
  return [...groups.values()];
}
