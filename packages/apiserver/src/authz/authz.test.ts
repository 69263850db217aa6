// The pure parts of authorization: request attributes, rule matching, escalation coverage, the
// default policy's reconciliation and ClusterRole aggregation.
import type { KubeObject, PolicyRule } from '@skiff/api';
import { requestAttributes } from './attributes.ts';
import { computeAggregatedRules, planAggregation } from './aggregation.ts';
import { AUTOUPDATE_ANNOTATION, DEFAULT_CLUSTER_ROLES } from './bootstrap-policy.ts';
import { pinnedNode } from './pinned-volume.ts';
import { volumeEdges } from './volume-index.ts';
import { defaultClusterRole, planBindingReconcile, planRoleReconcile } from './reconcile-policy.ts';
import { compactString, ruleAllows, uncoveredRules } from './rules.ts';

const bob = { username: 'bob', groups: ['system:authenticated'] };
const attrs = (method: string, url: string) => requestAttributes(bob, method, url);

describe('requestAttributes (RequestInfoFactory)', () => {
  test.each([
    ['GET', '/api/v1/namespaces/ns/pods', { verb: 'list', resource: 'pods', namespace: 'ns', name: '', apiGroup: '' }],
    ['GET', '/api/v1/namespaces/ns/pods?watch=true', { verb: 'watch', resource: 'pods', namespace: 'ns' }],
    ['GET', '/api/v1/watch/namespaces/ns/pods', { verb: 'watch', resource: 'pods', namespace: 'ns' }],
    ['GET', '/api/v1/pods?watch=True', { verb: 'watch' }],
    ['GET', '/api/v1/pods?watch=f', { verb: 'list' }],
    ['GET', '/api/v1/pods?watch=yes', { verb: 'list' }],
    ['GET', '/api/v1/namespaces/ns/pods/p/log', { verb: 'get', resource: 'pods', subresource: 'log', name: 'p' }],
    ['POST', '/apis/apps/v1/namespaces/ns/deployments', { verb: 'create', apiGroup: 'apps', resource: 'deployments', name: '' }],
    ['DELETE', '/apis/apps/v1/namespaces/ns/deployments', { verb: 'deletecollection' }],
    ['DELETE', '/apis/apps/v1/namespaces/ns/deployments/d', { verb: 'delete', name: 'd' }],
    ['PUT', '/api/v1/namespaces/ns/finalize', { verb: 'update', resource: 'namespaces', name: 'ns', subresource: 'finalize', namespace: 'ns' }],
    ['GET', '/api/v1/namespaces/ns', { verb: 'get', resource: 'namespaces', name: 'ns', namespace: 'ns' }],
    ['GET', '/api/v1/nodes', { verb: 'list', resource: 'nodes', namespace: '' }],
    ['GET', '/api/v1/namespaces/ns/secrets?fieldSelector=metadata.name%3Ds1&watch=1', { verb: 'watch', resource: 'secrets', name: 's1' }],
    ['GET', '/api/v1/namespaces/ns/secrets?fieldSelector=type%3Dx,metadata.name%3D%3Ds2', { verb: 'list', name: 's2' }],
  ])('%s %s', (method, url, want) => {
    expect(attrs(method, url)).toMatchObject({ resourceRequest: true, ...want });
  });

  test('non-resource paths: discovery, health, anything else', () => {
    for (const url of ['/apis', '/apis/apps/v1', '/api', '/api/v1', '/healthz', '/version?x=1']) {
      expect(attrs('GET', url)).toMatchObject({ resourceRequest: false, verb: 'get', path: url.split('?')[0] });
    }
    expect(attrs('POST', '/foo').verb).toBe('post');
  });
});

describe('ruleAllows', () => {
  const rule = (r: Partial<PolicyRule>): PolicyRule => ({ verbs: ['get'], apiGroups: [''], resources: ['pods'], ...r });
  test('verbs, groups, resources, subresources, names', () => {
    expect(ruleAllows(rule({}), attrs('GET', '/api/v1/namespaces/n/pods/p'))).toBe(true);
    expect(ruleAllows(rule({}), attrs('GET', '/api/v1/namespaces/n/pods/p/log'))).toBe(false);
    expect(ruleAllows(rule({ resources: ['pods/log'] }), attrs('GET', '/api/v1/namespaces/n/pods/p/log'))).toBe(true);
    expect(ruleAllows(rule({ apiGroups: ['*'], resources: ['*/scale'] }), attrs('GET', '/apis/apps/v1/namespaces/n/deployments/d/scale'))).toBe(true);
    expect(ruleAllows(rule({ apiGroups: ['*'], resources: ['*/scale'] }), attrs('GET', '/apis/apps/v1/namespaces/n/deployments/d'))).toBe(false);
    expect(ruleAllows(rule({ resourceNames: ['p'] }), attrs('GET', '/api/v1/namespaces/n/pods/p'))).toBe(true);
    expect(ruleAllows(rule({ resourceNames: ['p'] }), attrs('GET', '/api/v1/namespaces/n/pods/q'))).toBe(false);
    expect(ruleAllows(rule({ verbs: ['list'], resourceNames: ['p'] }), attrs('GET', '/api/v1/namespaces/n/pods'))).toBe(false);
    expect(ruleAllows(rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), attrs('DELETE', '/apis/x.io/v1/things'))).toBe(true);
    expect(ruleAllows(rule({ apiGroups: ['apps'] }), attrs('GET', '/api/v1/namespaces/n/pods/p'))).toBe(false);
  });

  test('non-resource URLs, exact or with a trailing *', () => {
    const urls = (u: string[]): PolicyRule => ({ verbs: ['get'], nonResourceURLs: u });
    expect(ruleAllows(urls(['/healthz']), attrs('GET', '/healthz'))).toBe(true);
    expect(ruleAllows(urls(['/healthz']), attrs('GET', '/healthz/ping'))).toBe(false);
    expect(ruleAllows(urls(['/healthz/*']), attrs('GET', '/healthz/ping'))).toBe(true);
    expect(ruleAllows(urls(['*']), attrs('GET', '/anything'))).toBe(true);
    expect(ruleAllows(urls(['/healthz']), attrs('GET', '/api/v1/pods'))).toBe(false);
  });
});

describe('uncoveredRules (escalation)', () => {
  test('what the owner does not hold, atomic', () => {
    const owned: PolicyRule[] = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'configmaps'] }, { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }];
    expect(uncoveredRules(owned, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])).toEqual([]);
    expect(uncoveredRules(owned, [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }]).map(compactString)).toEqual(['{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}']);
    expect(uncoveredRules(owned, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }])).toEqual([]);
    expect(uncoveredRules(owned, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }])).toHaveLength(1);
    expect(uncoveredRules([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }])).toEqual([]);
    expect(uncoveredRules([{ verbs: ['get'], nonResourceURLs: ['/logs/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/logs/a', '/metrics'] }]).map(compactString)).toEqual(['{NonResourceURLs:["/metrics"], Verbs:["get"]}']);
  });
});

describe('default policy reconciliation', () => {
  const view = defaultClusterRole({ name: 'r', rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] });
  test('adds missing rules, labels and annotations; never removes', () => {
    const current: KubeObject = { ...view, metadata: { name: 'r', labels: { mine: 'yes' } }, rules: [{ verbs: ['list'], apiGroups: [''], resources: ['secrets'] }] };
    const next = planRoleReconcile(current, view)!;
    expect(next.rules).toEqual([{ verbs: ['list'], apiGroups: [''], resources: ['secrets'] }, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
    expect(next.metadata.labels).toEqual({ 'kubernetes.io/bootstrapping': 'rbac-defaults', mine: 'yes' });
    expect(planRoleReconcile(next, view)).toBeUndefined();
  });

  test("takes out a rule an earlier skiff granted and no longer does, and keeps a user's", () => {
    const provisioner = defaultClusterRole(DEFAULT_CLUSTER_ROLES.find((r) => r.name === 'system:skiff:local-provisioner')!);
    const old = { verbs: ['create', 'delete', 'get', 'list', 'watch'], apiGroups: [''], resources: ['persistentvolumes'] };
    const users = { verbs: ['get'], apiGroups: [''], resources: ['persistentvolumes'], resourceNames: ['shared'] };
    const current: KubeObject = { ...provisioner, rules: [old, { verbs: ['get', 'list', 'watch'], apiGroups: ['storage.k8s.io'], resources: ['storageclasses'] }, users] };
    const next = planRoleReconcile(current, provisioner)!;
    expect(next.rules).not.toContainEqual(old);
    expect(next.rules).toContainEqual(users);
    expect(next.rules).toContainEqual({ verbs: ['create', 'delete'], apiGroups: [''], resources: ['persistentvolumes'] });
    expect(planRoleReconcile(next, provisioner)).toBeUndefined();
    // autoupdate "false": the admin keeps what they have.
    expect(planRoleReconcile({ ...current, metadata: { ...current.metadata, annotations: { [AUTOUPDATE_ANNOTATION]: 'false' } } }, provisioner)).toBeUndefined();
  });

  test('leaves a role annotated autoupdate "false" alone', () => {
    const current: KubeObject = { ...view, metadata: { name: 'r', annotations: { [AUTOUPDATE_ANNOTATION]: 'false' } }, rules: [] };
    expect(planRoleReconcile(current, view)).toBeUndefined();
  });

  test('a binding gets its missing subjects', () => {
    const want: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' }, subjects: [{ kind: 'Group', name: 'g' }] };
    const next = planBindingReconcile({ ...want, subjects: [{ kind: 'User', name: 'u' }] }, want)!;
    expect(next.subjects).toEqual([{ kind: 'User', name: 'u' }, { kind: 'Group', name: 'g' }]);
  });
});

describe('computeAggregatedRules', () => {
  test('rules of the selected roles, in name order, once each', () => {
    const role = (name: string, labels: Record<string, string>, rules: PolicyRule[]): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules });
    const r1: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
    const r2: PolicyRule = { verbs: ['list'], apiGroups: [''], resources: ['pods'] };
    const agg: KubeObject = { ...role('agg', {}, []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { to: 'agg' } }] } };
    const all = [agg, role('b', { to: 'agg' }, [r2, r1]), role('a', { to: 'agg' }, [r1]), role('c', {}, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])];
    expect(computeAggregatedRules(agg, all)).toEqual([r1, r2]);
  });

  test('a plan follows aggregated roles that pick aggregated roles, as admin picks edit and edit picks view', () => {
    const r1: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
    const r2: PolicyRule = { verbs: ['create'], apiGroups: [''], resources: ['pods'] };
    const r3: PolicyRule = { verbs: ['delete'], apiGroups: [''], resources: ['pods'] };
    const cr = (name: string, labels: Record<string, string>, rules: PolicyRule[], picks?: string): KubeObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels },
      rules,
      ...(picks ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [picks]: 'true' } }] } } : {}),
    });
    // Name order puts admin first, so a single sweep would give admin edit's old (empty) rules.
    const all = [cr('admin', {}, [], 'to-admin'), cr('edit', { 'to-admin': 'true' }, [], 'to-edit'), cr('view', { 'to-edit': 'true' }, [], 'to-view'), cr('a-view', { 'to-view': 'true' }, [r1]), cr('a-edit', { 'to-edit': 'true' }, [r2]), cr('a-admin', { 'to-admin': 'true' }, [r3])];
    const plan = planAggregation(all);
    expect(plan.get('view')).toEqual([r1]);
    expect(plan.get('edit')).toEqual([r2, r1]);
    expect(plan.get('admin')).toEqual([r3, r2, r1]);
    // Once written, the plan is empty: no later pass writes again.
    const written = all.map((r) => (plan.has(r.metadata.name!) ? { ...r, rules: plan.get(r.metadata.name!) } : r));
    expect(planAggregation(written).size).toBe(0);
  });

  test('selectors that form a cycle end the plan instead of looping', () => {
    const r1: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
    const a: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'a', labels: { to: 'b' } }, rules: [r1], aggregationRule: { clusterRoleSelectors: [{ matchLabels: { to: 'a' } }] } };
    const b: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'b', labels: { to: 'a' } }, rules: [], aggregationRule: { clusterRoleSelectors: [{ matchLabels: { to: 'b' } }] } };
    expect(() => planAggregation([a, b])).not.toThrow();
  });
});

describe('PersistentVolumes in the Node authorizer', () => {
  const pv = (terms: unknown[] | undefined, claimRef?: object): KubeObject =>
    ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { ...(terms ? { nodeAffinity: { required: { nodeSelectorTerms: terms } } } : {}), ...(claimRef ? { claimRef } : {}) } }) as KubeObject;
  const host = (...values: string[]) => ({ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values }] });

  test('pinnedNode: exactly one node by hostname in every term', () => {
    expect(pinnedNode(pv([host('a')]))).toBe('a');
    expect(pinnedNode(pv([host('a'), host('a')]))).toBe('a');
    expect(pinnedNode(pv([host('a'), host('b')]))).toBeUndefined();
    expect(pinnedNode(pv([host('a', 'b')]))).toBeUndefined();
    expect(pinnedNode(pv([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] }]))).toBeUndefined();
    expect(pinnedNode(pv([]))).toBeUndefined();
    expect(pinnedNode(pv(undefined))).toBeUndefined();
  });

  test('volumeEdges: the claim of spec.claimRef, and the pinned node', () => {
    expect(volumeEdges(pv([host('a')], { namespace: 'ns', name: 'data' }))).toEqual({ claim: 'ns/data', pinned: 'a' });
    expect(volumeEdges(pv(undefined))).toEqual({});
  });
});
