import { z } from 'zod';
import { RESOURCES } from '@skiff/api';
import type { ResourceInfo } from '@skiff/api';
import { buildOpenApi, zodSource } from './documents.ts';
import { PATCH_CONTENT_TYPES } from './paths.ts';

const parse = (docs: ReturnType<typeof buildOpenApi>, key: string) => JSON.parse(docs.byKey.get(key)!.body.toString());

describe('buildOpenApi from the catalog', () => {
  const docs = buildOpenApi({ schemaSource: null });
  const core = parse(docs, 'api/v1');
  const apps = parse(docs, 'apis/apps/v1');

  it('lists one hashed document per group-version', () => {
    expect(Object.keys(docs.root.paths)).toEqual(['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1']);
    for (const [key, { serverRelativeURL }] of Object.entries(docs.root.paths)) {
      expect(serverRelativeURL).toBe(`/openapi/v3/${key}?hash=${docs.byKey.get(key)!.hash}`);
      expect(docs.byKey.get(key)!.hash).toMatch(/^[0-9A-F]{128}$/);
    }
  });

  it('hashes the content, so an identical build gives identical URLs', () => {
    expect(buildOpenApi({ schemaSource: null }).root).toEqual(docs.root);
  });

  it('gives every kind a schema tagged with its group-version-kind', () => {
    for (const r of RESOURCES) {
      const doc = parse(docs, r.group === '' ? 'api/v1' : `apis/${r.group}/${r.version}`);
      const tagged = Object.values(doc.components.schemas).filter((s: any) =>
        s['x-kubernetes-group-version-kind']?.some((g: any) => g.kind === r.kind && g.group === r.group && g.version === r.version),
      );
      expect(tagged).toHaveLength(1);
    }
  });

  it('includes referenced definitions from other groups (PodTemplateSpec, Scale, ObjectMeta)', () => {
    const names = Object.keys(apps.components.schemas);
    expect(names).toEqual(
      expect.arrayContaining([
        'io.k8s.api.apps.v1.Deployment',
        'io.k8s.api.apps.v1.DeploymentList',
        'io.k8s.api.core.v1.PodTemplateSpec',
        'io.k8s.api.core.v1.Container',
        'io.k8s.api.autoscaling.v1.Scale',
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
        'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
      ]),
    );
    expect(names).not.toContain('io.k8s.api.core.v1.Service');
  });

  it('leaves no dangling reference', () => {
    for (const key of docs.byKey.keys()) {
      const doc = parse(docs, key);
      const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[^"]+/g) ?? [];
      for (const ref of refs) expect(doc.components.schemas).toHaveProperty([ref.slice('#/components/schemas/'.length)]);
    }
  });

  it('declares fieldValidation and the four patch types on every PATCH', () => {
    for (const key of docs.byKey.keys()) {
      for (const [path, item] of Object.entries<any>(parse(docs, key).paths)) {
        if (!item.patch) continue;
        expect([path, item.patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query')]).toEqual([path, true]);
        expect(Object.keys(item.patch.requestBody.content).sort()).toEqual([...PATCH_CONTENT_TYPES].sort());
        expect(item.patch['x-kubernetes-group-version-kind']).toHaveProperty('kind');
      }
    }
  });

  it('has get/list/create/replace/patch/delete for deployments and scale in autoscaling/v1', () => {
    const coll = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
    const item = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    expect(Object.keys(coll).sort()).toEqual(['delete', 'get', 'parameters', 'post']);
    expect(Object.keys(item).sort()).toEqual(['delete', 'get', 'parameters', 'patch', 'put']);
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(item.patch.operationId).toBe('patchAppsV1NamespacedDeployment');
    const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    expect(scale.put['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect(apps.paths['/apis/apps/v1/deployments'].get.operationId).toBe('listAppsV1DeploymentForAllNamespaces');
  });

  it('describes pod subresources and cluster-scoped paths', () => {
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post['x-kubernetes-group-version-kind'].kind).toBe('Binding');
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'].get.responses['200'].content).toHaveProperty('text/plain');
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec'].get['x-kubernetes-action']).toBe('connect');
    expect(core.paths['/api/v1/nodes/{name}'].patch.operationId).toBe('patchCoreV1Node');
    expect(core.paths['/api/v1/nodes/{name}/status'].get).toBeDefined();
  });

  it('carries strategic merge keys for kubectl apply', () => {
    const spec = core.components.schemas['io.k8s.api.core.v1.PodSpec'];
    expect(spec.properties.containers['x-kubernetes-patch-merge-key']).toBe('name');
    expect(spec.properties.containers['x-kubernetes-patch-strategy']).toBe('merge');
    const container = core.components.schemas['io.k8s.api.core.v1.Container'];
    expect(container.properties.ports['x-kubernetes-patch-merge-key']).toBe('containerPort');
    expect(container.properties.env['x-kubernetes-patch-merge-key']).toBe('name');
    expect(core.components.schemas['io.k8s.api.core.v1.ServiceSpec'].properties.ports['x-kubernetes-patch-merge-key']).toBe('port');
  });
});

describe('buildOpenApi from a JSON Schema source (zod)', () => {
  // What the api package is expected to provide: a zod schema per kind turned into JSON Schema.
  const container = z.object({ name: z.string(), image: z.string().optional(), ports: z.array(z.object({ containerPort: z.number().int() })).optional() });
  const deployment = z.object({
    apiVersion: z.literal('apps/v1'),
    kind: z.literal('Deployment'),
    metadata: z.object({ name: z.string().optional(), labels: z.record(z.string(), z.string()).optional() }),
    spec: z.object({
      replicas: z.number().int().nullable().optional(),
      template: z.object({ spec: z.object({ containers: z.array(container) }) }),
    }),
  });
  const source = (r: ResourceInfo) => (r.kind === 'Deployment' ? z.toJSONSchema(deployment) : undefined);
  const doc = parse(buildOpenApi({ schemaSource: source }), 'apis/apps/v1');
  const schema = doc.components.schemas['io.k8s.api.apps.v1.Deployment'];

  it('uses the source schema, as OpenAPI 3.0', () => {
    expect(schema).not.toHaveProperty('$schema');
    expect(schema.properties.kind.enum).toEqual(['Deployment']);
    expect(schema.properties.spec.properties.replicas).toMatchObject({ type: 'integer', nullable: true });
    expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  });

  it('backfills descriptions and patch keys from the catalog', () => {
    expect(schema.properties.spec.properties.replicas.description).toBe('Number of desired pods. Defaults to 1.');
    const containers = schema.properties.spec.properties.template.properties.spec.properties.containers;
    expect(containers['x-kubernetes-patch-merge-key']).toBe('name');
    expect(containers.items.properties.ports['x-kubernetes-patch-merge-key']).toBe('containerPort');
    expect(containers.items.properties.image.description).toMatch(/Container image name/);
  });

  it('falls back to the catalog for kinds the source does not cover', () => {
    expect(doc.components.schemas['io.k8s.api.apps.v1.ReplicaSet'].properties.spec).toBeDefined();
  });
});

describe('buildOpenApi from zod schemas with Kubernetes ids (zodSource)', () => {
  // The api package names its schemas with .meta({ id }); z.toJSONSchema then answers a $ref.
  const podSpec = z.object({ containers: z.array(z.object({ name: z.string(), image: z.string().optional() })) }).meta({ id: 'io.k8s.api.core.v1.PodSpec' });
  const deployment = z
    .object({ apiVersion: z.string(), kind: z.string(), spec: z.object({ replicas: z.number().int().optional(), template: z.object({ spec: podSpec }) }) })
    .meta({ id: 'io.k8s.api.apps.v1.Deployment' });
  const doc = parse(buildOpenApi({ schemaSource: zodSource((r) => (r.kind === 'Deployment' ? deployment : undefined)) }), 'apis/apps/v1');

  it('keeps qualified ids as component names and resolves the root reference', () => {
    const schema = doc.components.schemas['io.k8s.api.apps.v1.Deployment'];
    expect(schema.properties.spec.properties.replicas).toMatchObject({ type: 'integer', description: 'Number of desired pods. Defaults to 1.' });
    expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const template = schema.properties.spec.properties.template.properties.spec;
    expect(template.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
    const spec = doc.components.schemas['io.k8s.api.core.v1.PodSpec'];
    expect(spec.properties.containers['x-kubernetes-patch-merge-key']).toBe('name');
    expect(spec.properties.containers.items.properties.image.description).toMatch(/Container image name/);
  });
});
