// The OpenAPI v3 documents, one per group-version, built once at startup from the registry.
// Kind schemas come from the api package's `jsonSchemaFor` when it provides one (enriched with the
// catalog's descriptions and patch keys), otherwise from the catalog here.
import { createHash } from 'node:crypto';
import * as api from '@skiff/api';
import { z } from 'zod';
import { RESOURCES, apiGroups } from '@skiff/api';
import type { ResourceInfo } from '@skiff/api';
import { appsSchemas } from './catalog/apps.ts';
import { coreSchemas } from './catalog/core.ts';
import { META, obj, ref, refPath, typeMeta } from './catalog/dsl.ts';
import type { Schema } from './catalog/dsl.ts';
import { metaSchemas } from './catalog/meta.ts';
import { backfill, toOpenApi30 } from './normalize.ts';
import { resourcePaths, schemaName } from './paths.ts';

export const CATALOG: Readonly<Record<string, Schema>> = { ...metaSchemas, ...coreSchemas, ...appsSchemas };

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

/** A function a schema source may export: the JSON Schema of one kind's object. */
export type JsonSchemaFor = (resource: ResourceInfo) => unknown;

/**
 * The api package's schemas, once its entry point exports them: `jsonSchemaFor(resource)` giving
 * a JSON Schema, or else `schemaFor(resource)` giving a zod schema, converted here.
 */
function apiPackageSchemaSource(): JsonSchemaFor | undefined {
  const exports = api as Record<string, unknown>;
  if (typeof exports.jsonSchemaFor === 'function') return exports.jsonSchemaFor as JsonSchemaFor;
  if (typeof exports.schemaFor === 'function') return zodSource(exports.schemaFor as (r: ResourceInfo) => unknown);
  return undefined;
}

/** A JsonSchemaFor over a function returning zod schemas. */
export function zodSource(schemaFor: (r: ResourceInfo) => unknown): JsonSchemaFor {
  return (r) => {
    const s = schemaFor(r);
    return s ? z.toJSONSchema(s as z.ZodType, { io: 'input', unrepresentable: 'any' }) : undefined;
  };
}

/** Used for a kind nobody has described yet: any spec and status are accepted. */
function genericKind(r: ResourceInfo): Schema {
  const anything = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return obj(`${r.kind} object.`, {
    ...typeMeta(),
    metadata: ref(`${META}ObjectMeta`, "Standard object's metadata."),
    spec: { ...anything, description: 'Desired state.' },
    status: { ...anything, description: 'Observed state.' },
  });
}

interface KindSchemas {
  schemas: Record<string, Schema>;
}

/** The kind's schema and any definitions it brings along, under components.schemas names. */
function kindSchemas(r: ResourceInfo, source: JsonSchemaFor | undefined, catalog: Record<string, Schema>): KindSchemas {
  const name = schemaName(r);
  const fromCatalog = catalog[name];
  if (source) {
    try {
      const raw = source(r);
      if (raw && typeof raw === 'object') {
        const converted = toOpenApi30(raw as Schema, name);
        const definitions = converted.definitions;
        // z.toJSONSchema puts a kind with an id in $defs and answers a bare $ref to it.
        const rootRef = converted.schema.$ref as string | undefined;
        const schema = (rootRef && definitions[rootRef.replace('#/components/schemas/', '')]) || converted.schema;
        const all = { ...definitions, [name]: schema };
        const find = (table: Record<string, Schema>) => (r: string) => table[r.replace('#/components/schemas/', '')];
        backfill(schema, fromCatalog, { target: find(all), donor: find(catalog) });
        return { schemas: all };
      }
    } catch {
      // An unusable schema from the api package: the catalog's is still a faithful description.
    }
  }
  return { schemas: { [name]: fromCatalog ?? genericKind(r) } };
}

function withGvk(schema: Schema, group: string, version: string, kind: string): Schema {
  return { ...schema, 'x-kubernetes-group-version-kind': [{ group, kind, version }] };
}

/** Every components.schemas name reachable by $ref from `roots`. */
function reachable(roots: unknown[], table: Record<string, Schema>): Set<string> {
  const found = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
          const name = v.slice('#/components/schemas/'.length);
          if (!found.has(name) && table[name]) {
            found.add(name);
            stack.push(table[name]);
          }
        } else stack.push(v);
      }
    }
  }
  return found;
}

function documentFor(resources: ResourceInfo[], group: string, version: string, source: JsonSchemaFor | undefined, catalog: Record<string, Schema>): unknown {
  const table: Record<string, Schema> = { ...catalog };
  const paths: Record<string, Schema> = {};
  const roots: unknown[] = [];
  for (const r of resources) {
    const { schemas } = kindSchemas(r, source, catalog);
    Object.assign(table, schemas);
    const name = schemaName(r);
    table[name] = withGvk(table[name], r.group, r.version, r.kind);
    const listName = schemaName({ ...r, kind: r.listKind });
    if (table[listName]) table[listName] = withGvk(table[listName], r.group, r.version, r.listKind);
    Object.assign(paths, resourcePaths(r));
    roots.push({ $ref: refPath(name) });
  }
  roots.push(paths);
  const names = [...reachable(roots, table)].sort();
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-skiff' },
    paths,
    components: { schemas: Object.fromEntries(names.map((n) => [n, table[n]])) },
  };
}

export interface BuildOptions {
  resources?: readonly ResourceInfo[];
  /** Where kind schemas come from; defaults to the api package's `jsonSchemaFor` if it has one. */
  schemaSource?: JsonSchemaFor | null;
}

export function buildOpenApi(opts: BuildOptions = {}): OpenApiDocuments {
  const resources = opts.resources ?? RESOURCES;
  const source = opts.schemaSource === null ? undefined : (opts.schemaSource ?? apiPackageSchemaSource());
  const groups = opts.resources ? groupsOf(resources) : apiGroups();
  const byKey = new Map<string, OpenApiDocument>();
  const root: OpenApiDocuments['root'] = { paths: {} };
  for (const g of groups) {
    const key = g.group === '' ? `api/${g.version}` : `apis/${g.group}/${g.version}`;
    const body = Buffer.from(JSON.stringify(documentFor(g.resources, g.group, g.version, source, CATALOG)));
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
