import { RESOURCES } from './resources.ts';
import { allOpenAPIComponents, componentsFor, jsonSchemaFor, openAPISchemaName, openAPIV3Document, openAPIV3GroupVersions, type OpenAPISchema } from './openapi.ts';

function refsIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refsIn(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refsIn(x, out);
    }
  }
  return out;
}

/** Follows a dotted field path the way kubectl explain does (through $ref and allOf). */
function explain(doc: OpenAPISchema, root: string, path: string[]): OpenAPISchema {
  const schemas = (doc.components as { schemas: Record<string, OpenAPISchema> }).schemas;
  const resolve = (s: OpenAPISchema): OpenAPISchema => {
    if (typeof s.$ref === 'string') return resolve(schemas[s.$ref.replace('#/components/schemas/', '')]);
    if (Array.isArray(s.allOf)) return { ...resolve(s.allOf[0] as OpenAPISchema), ...(s.description ? { description: s.description } : {}) };
    return s;
  };
  let cur = schemas[root];
  for (const p of path) {
    const props = resolve(cur).properties as Record<string, OpenAPISchema>;
    cur = props[p];
    if (!cur) throw new Error(`no field ${p}`);
  }
  return cur.allOf ? { ...resolve(cur), description: cur.description } : resolve(cur);
}

describe('openAPIV3Document', () => {
  it('names schemas like Kubernetes and tags kinds with their GVK', () => {
    expect(openAPISchemaName(RESOURCES.find((r) => r.kind === 'Deployment')!)).toBe('io.k8s.api.apps.v1.Deployment');
    const doc = openAPIV3Document('apps', 'v1');
    const schemas = (doc.components as { schemas: Record<string, OpenAPISchema> }).schemas;
    expect(schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    expect(schemas['io.k8s.api.apps.v1.DeploymentList']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'DeploymentList' }]);
    expect(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    expect(schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
    expect(schemas['io.k8s.api.apps.v1.DeploymentSpec'].required).toEqual(['selector', 'template']);
  });

  it('resolves every $ref inside each group-version document', () => {
    for (const gv of openAPIV3GroupVersions()) {
      const doc = openAPIV3Document(gv.group, gv.version);
      const schemas = (doc.components as { schemas: Record<string, OpenAPISchema> }).schemas;
      for (const r of refsIn(schemas)) expect(schemas[r.replace('#/components/schemas/', '')]).toBeDefined();
    }
    expect(openAPIV3GroupVersions().map((g) => g.path)).toEqual(['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1']);
  });

  it('lets an explain-style walk reach deployment.spec.replicas and containers[].image', () => {
    const doc = openAPIV3Document('apps', 'v1');
    const replicas = explain(doc, 'io.k8s.api.apps.v1.Deployment', ['spec', 'replicas']);
    expect(replicas.type).toBe('integer');
    expect(replicas.description).toMatch(/Defaults to 1/);
    const containers = explain(doc, 'io.k8s.api.apps.v1.Deployment', ['spec', 'template', 'spec', 'containers']);
    expect(containers.type).toBe('array');
    const core = openAPIV3Document('', 'v1');
    expect(explain(core, 'io.k8s.api.core.v1.Pod', ['spec', 'containers']).description).toMatch(/List of containers/);
    expect(explain(core, 'io.k8s.api.core.v1.Service', ['spec', 'ports']).type).toBe('array');
  });

  it('produces a schema for every resource', () => {
    for (const r of RESOURCES) {
      const { name, components } = componentsFor(r);
      expect(components[name].type).toBe('object');
      const standalone = jsonSchemaFor(r)!;
      const defs = standalone.$defs as Record<string, OpenAPISchema>;
      expect(standalone.$ref).toBe(`#/$defs/${name}`);
      for (const ref of refsIn(defs)) {
        expect(ref.startsWith('#/$defs/')).toBe(true);
        expect(defs[ref.slice('#/$defs/'.length)]).toBeDefined();
      }
    }
    expect(Object.keys(allOpenAPIComponents()).length).toBeGreaterThan(80);
  });
});
