// The OpenAPI v3 documents, one per group-version, built once at startup: the paths of the
// group-version's resources (paths.ts) and every component schema they reach, generated from the
// object model in @skiff/api (the same definition that decodes request bodies).
import { createHash } from 'node:crypto';
import { apiGroups, MODEL_KUBERNETES_VERSION, openAPIComponents, RESOURCES, REVIEW_RESOURCES, type ResourceInfo } from '@skiff/api';
import { META, resourcePaths, schemaName } from './paths.ts';

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

function documentFor(resources: readonly ResourceInfo[]): unknown {
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
  for (const g of groups) {
    const key = g.group === '' ? `api/${g.version}` : `apis/${g.group}/${g.version}`;
    const body = Buffer.from(JSON.stringify(documentFor(g.resources)));
    const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
    byKey.set(key, { key, body, hash });
    root.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { root, byKey };
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
