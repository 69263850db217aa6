import { RESOURCES, REVIEW_RESOURCES } from '@skiff/api';
import { buildOpenApi } from './documents.ts';
import { PATCH_CONTENT_TYPES } from './paths.ts';

const parse = (docs: ReturnType<typeof buildOpenApi>, key: string) => JSON.parse(docs.byKey.get(key)!.body.toString());

describe('buildOpenApi from the object model', () => {
  const docs = buildOpenApi();
  const core = parse(docs, 'api/v1');
  const apps = parse(docs, 'apis/apps/v1');

  it('lists one hashed document per group-version', () => {
    expect(Object.keys(docs.root.paths)).toEqual(['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/storage.k8s.io/v1', 'apis/scheduling.k8s.io/v1', 'apis/batch/v1', 'apis/networking.k8s.io/v1', 'apis/certificates.k8s.io/v1', 'apis/policy/v1', 'apis/rbac.authorization.k8s.io/v1', 'apis/authentication.k8s.io/v1', 'apis/authorization.k8s.io/v1']);
    for (const [key, { serverRelativeURL }] of Object.entries(docs.root.paths)) {
      expect(serverRelativeURL).toBe(`/openapi/v3/${key}?hash=${docs.byKey.get(key)!.hash}`);
      expect(docs.byKey.get(key)!.hash).toMatch(/^[0-9A-F]{128}$/);
    }
  });

  it('describes a review kind by its create alone: no list, no path of its own objects', () => {
    const authz = parse(docs, 'apis/authorization.k8s.io/v1');
    expect(Object.keys(authz.paths).sort()).toEqual([
      '/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    ]);
    const sar = authz.paths['/apis/authorization.k8s.io/v1/subjectaccessreviews'];
    expect(Object.keys(sar).sort()).toEqual(['parameters', 'post']);
    expect(sar.post['x-kubernetes-group-version-kind']).toEqual({ group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview' });
    expect(Object.keys(authz.components.schemas)).toContain('io.k8s.api.authorization.v1.SubjectAccessReviewStatus');
    expect(Object.keys(authz.components.schemas).some((n) => n.endsWith('List'))).toBe(false);
  });

  it('hashes the content, so an identical build gives identical URLs', () => {
    expect(buildOpenApi().root).toEqual(docs.root);
  });

  it('gives every kind a schema tagged with its group-version-kind', () => {
    for (const r of [...RESOURCES, ...REVIEW_RESOURCES]) {
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

describe('component schemas from the model', () => {
  const core = parse(buildOpenApi(), 'api/v1');
  const schemas = core.components.schemas;

  it('describes every field of every type with Kubernetes\' own text (kubectl explain)', () => {
    const volume = schemas['io.k8s.api.core.v1.Volume'];
    expect(volume.properties.configMap).toEqual({ $ref: '#/components/schemas/io.k8s.api.core.v1.ConfigMapVolumeSource' });
    expect(volume.properties.name.description).toMatch(/name of the volume/);
    const cm = schemas['io.k8s.api.core.v1.ConfigMapVolumeSource'];
    expect(cm.description).toMatch(/Adapts a ConfigMap into a volume/);
    expect(cm.properties.defaultMode).toMatchObject({ type: 'integer', format: 'int32' });
    expect(cm.properties.items.items).toEqual({ $ref: '#/components/schemas/io.k8s.api.core.v1.KeyToPath' });
  });

  it('marks required fields and non-pointer structs', () => {
    expect(schemas['io.k8s.api.core.v1.Container'].required).toEqual(['name']);
    expect(schemas['io.k8s.api.core.v1.Container'].properties.resources.default).toEqual({});
    expect(schemas['io.k8s.api.core.v1.Pod'].properties.spec.default).toEqual({});
  });

  it('names apimachinery leaf types', () => {
    expect(schemas['io.k8s.api.core.v1.PodCondition'].properties.lastTransitionTime.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time' }]);
    expect(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ format: 'int-or-string' });
    expect(schemas['io.k8s.api.core.v1.ResourceRequirements'].properties.limits.additionalProperties).toEqual({ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' });
  });

  it('carries merge keys as list-map keys and sets', () => {
    const meta = schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'];
    expect(meta.properties.finalizers).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' });
    const spec = schemas['io.k8s.api.core.v1.PodSpec'];
    expect(spec.properties.volumes).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge,retainKeys', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-list-map-keys': ['name'] });
  });
});
