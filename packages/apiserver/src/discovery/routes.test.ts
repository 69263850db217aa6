import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { RESOURCES, REVIEW_RESOURCES } from '@skiff/api';
import { AGGREGATED_DISCOVERY_CONTENT_TYPE, registerDiscoveryRoutes } from './routes.ts';

const KUBECTL_DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify();
  registerDiscoveryRoutes(app);
  await app.ready();
});
afterAll(() => app.close());

const get = (url: string, accept?: string) => app.inject({ method: 'GET', url, headers: accept ? { accept } : {} });

describe('GET /version', () => {
  it('claims 1.32 so the kubectl dispatcher runs its 1.32', async () => {
    const res = await get('/version');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache, private');
    expect(res.json()).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0-skiff', gitTreeState: 'clean', compiler: 'skiff' });
    expect(res.json().buildDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('answers /version/ with a trailing slash the same', async () => {
    const [plain, slash] = [await get('/version'), await get('/version/')];
    expect(slash.statusCode).toBe(200);
    expect(slash.json()).toEqual(plain.json());
  });
});

describe('aggregated discovery', () => {
  it('answers /api with the core group in the exact content type', async () => {
    const res = await get('/api', KUBECTL_DISCOVERY_ACCEPT);
    expect(res.headers['content-type']).toBe(AGGREGATED_DISCOVERY_CONTENT_TYPE);
    expect(res.headers['cache-control']).toBe('no-cache, private');
    const body = res.json();
    expect(body).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    expect(body.items).toHaveLength(1);
    expect(body.items[0].metadata).toEqual({});
    const v1 = body.items[0].versions[0];
    expect(v1).toMatchObject({ version: 'v1', freshness: 'Current' });
    const pods = v1.resources.find((r: any) => r.resource === 'pods');
    expect(pods).toEqual({
      resource: 'pods',
      responseKind: { group: '', version: 'v1', kind: 'Pod' },
      scope: 'Namespaced',
      singularResource: 'pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
      subresources: [
        { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
        { subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
        { subresource: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
        { subresource: 'exec', responseKind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
        { subresource: 'attach', responseKind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] },
        { subresource: 'portforward', responseKind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] },
        { subresource: 'ephemeralcontainers', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] },
      ],
    });
    const endpoints = v1.resources.find((r: any) => r.resource === 'endpoints');
    expect(endpoints).not.toHaveProperty('categories');
    expect(endpoints).not.toHaveProperty('subresources');
  });

  it('answers /apis with every named group and deployments/scale as autoscaling/v1 Scale', async () => {
    const res = await get('/apis', KUBECTL_DISCOVERY_ACCEPT);
    expect(res.headers['content-type']).toBe(AGGREGATED_DISCOVERY_CONTENT_TYPE);
    const body = res.json();
    expect(body.items.map((i: any) => i.metadata.name)).toEqual(['apps', 'coordination.k8s.io', 'discovery.k8s.io', 'storage.k8s.io', 'scheduling.k8s.io', 'batch', 'networking.k8s.io', 'certificates.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io']);
    const deployments = body.items[0].versions[0].resources.find((r: any) => r.resource === 'deployments');
    expect(deployments.subresources).toContainEqual({
      subresource: 'scale',
      responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      verbs: ['get', 'patch', 'update'],
    });
    expect(deployments.shortNames).toEqual(['deploy']);
    expect(deployments.scope).toBe('Namespaced');
  });

  it('lists every registry resource exactly once', async () => {
    const core = (await get('/api', KUBECTL_DISCOVERY_ACCEPT)).json();
    const apis = (await get('/apis', KUBECTL_DISCOVERY_ACCEPT)).json();
    const listed = [...core.items, ...apis.items].flatMap((i: any) => i.versions[0].resources.map((r: any) => r.resource));
    expect(listed.sort()).toEqual([...RESOURCES, ...REVIEW_RESOURCES].map((r) => r.plural).sort());
  });

  it('is not served for v2beta1 only or plain JSON', async () => {
    const res = await get('/api', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    expect(res.json().kind).toBe('APIVersions');
    expect((await get('/apis', 'application/json')).json().kind).toBe('APIGroupList');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await get('/apis', KUBECTL_DISCOVERY_ACCEPT);
    const again = await app.inject({ method: 'GET', url: '/apis', headers: { accept: KUBECTL_DISCOVERY_ACCEPT, 'if-none-match': first.headers.etag as string } });
    expect(again.statusCode).toBe(304);
  });
});

describe('legacy discovery', () => {
  it('answers /api with APIVersions', async () => {
    const res = await get('/api');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
  });

  it('answers /apis with APIGroupList', async () => {
    expect((await get('/apis')).json()).toEqual({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [
        { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
        {
          name: 'coordination.k8s.io',
          versions: [{ groupVersion: 'coordination.k8s.io/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'coordination.k8s.io/v1', version: 'v1' },
        },
        {
          name: 'discovery.k8s.io',
          versions: [{ groupVersion: 'discovery.k8s.io/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'discovery.k8s.io/v1', version: 'v1' },
        },
        {
          name: 'storage.k8s.io',
          versions: [{ groupVersion: 'storage.k8s.io/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'storage.k8s.io/v1', version: 'v1' },
        },
        {
          name: 'scheduling.k8s.io',
          versions: [{ groupVersion: 'scheduling.k8s.io/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'scheduling.k8s.io/v1', version: 'v1' },
        },
        { name: 'batch', versions: [{ groupVersion: 'batch/v1', version: 'v1' }], preferredVersion: { groupVersion: 'batch/v1', version: 'v1' } },
        {
          name: 'networking.k8s.io',
          versions: [{ groupVersion: 'networking.k8s.io/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'networking.k8s.io/v1', version: 'v1' },
        },
        {
          name: 'certificates.k8s.io',
          versions: [{ groupVersion: 'certificates.k8s.io/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'certificates.k8s.io/v1', version: 'v1' },
        },
        { name: 'policy', versions: [{ groupVersion: 'policy/v1', version: 'v1' }], preferredVersion: { groupVersion: 'policy/v1', version: 'v1' } },
        { name: 'rbac.authorization.k8s.io', versions: [{ groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' }], preferredVersion: { groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' } },
        // The review APIs (create-only, never stored).
        { name: 'authentication.k8s.io', versions: [{ groupVersion: 'authentication.k8s.io/v1', version: 'v1' }], preferredVersion: { groupVersion: 'authentication.k8s.io/v1', version: 'v1' } },
        { name: 'authorization.k8s.io', versions: [{ groupVersion: 'authorization.k8s.io/v1', version: 'v1' }], preferredVersion: { groupVersion: 'authorization.k8s.io/v1', version: 'v1' } },
      ],
    });
  });

  it('answers /apis/apps with APIGroup', async () => {
    expect((await get('/apis/apps')).json()).toMatchObject({ kind: 'APIGroup', apiVersion: 'v1', name: 'apps', preferredVersion: { groupVersion: 'apps/v1' } });
  });

  it('answers /api/v1 with an APIResourceList including subresources', async () => {
    const body = (await get('/api/v1')).json();
    expect(body).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    const names = body.resources.map((r: any) => r.name);
    expect(names).toEqual(expect.arrayContaining(['pods', 'pods/status', 'pods/binding', 'pods/log', 'pods/exec', 'replicationcontrollers/scale']));
    expect(body.resources.find((r: any) => r.name === 'pods')).toEqual({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
    });
    expect(body.resources.find((r: any) => r.name === 'nodes').namespaced).toBe(false);
    expect(body.resources.find((r: any) => r.name === 'pods/exec')).toEqual({
      name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'],
    });
  });

  it('answers /apis/apps/v1 with deployments/scale in autoscaling/v1', async () => {
    const body = (await get('/apis/apps/v1')).json();
    expect(body.groupVersion).toBe('apps/v1');
    expect(body.resources.find((r: any) => r.name === 'deployments/scale')).toEqual({
      name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'],
    });
  });

  it.each(['/apis/nope', '/apis/nope/v1', '/apis/apps/v2', '/api/v2'])('answers 404 Status for %s', async (url) => {
    const res = await get(url);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
  });
});
