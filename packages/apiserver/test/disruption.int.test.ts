// PodDisruptionBudgets and pods/eviction over HTTP, without a controller: the tests write each
// budget's status as the disruption controller would, then evict. Every refusal is checked with
// Kubernetes' code, reason and message; the eviction body is sent as JSON and as the protobuf
// kubectl drain sends.
import protobuf from 'protobufjs/minimal.js';
import { useTestServer, pod } from './support/server.ts';

const { server, api } = useTestServer();

const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
const PODS = '/api/v1/namespaces/default/pods';
const EVICTION_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

const pdb = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec });
const eviction = (name: string, deleteOptions?: Record<string, unknown>) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, ...(deleteOptions ? { deleteOptions } : {}) });

/** A pod on a node, Running and Ready (or not): what the agent would have written. */
async function runningPod(name: string, app: string, ready = true): Promise<any> {
  const created = await api('POST', PODS, pod(name, { metadata: { labels: { app } }, spec: { nodeName: 'node-a' } }));
  expect(created.status).toBe(201);
  const status = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
  const res = await api('PUT', `${PODS}/${name}/status`, { ...created.body, status });
  expect(res.status).toBe(200);
  return res.body;
}

/** Writes a budget's status as the disruption controller would. */
async function setBudgetStatus(name: string, s: { allowed: number; healthy: number; desired: number; expected: number; observed?: number }): Promise<any> {
  const cur = (await api('GET', `${PDBS}/${name}`)).body;
  const status = { disruptionsAllowed: s.allowed, currentHealthy: s.healthy, desiredHealthy: s.desired, expectedPods: s.expected, observedGeneration: s.observed ?? cur.metadata.generation };
  const res = await api('PUT', `${PDBS}/${name}/status`, { ...cur, status });
  expect(res.status).toBe(200);
  return res.body;
}

const evict = (name: string, deleteOptions?: Record<string, unknown>, query = '') => api('POST', `${PODS}/${name}/eviction${query}`, eviction(name, deleteOptions));

test('a budget is stored with its initial status, listed by kubectl columns, and discovered with pods/eviction', async () => {
  const created = await api('POST', PDBS, pdb('web', { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } }));
  expect(created.status).toBe(201);
  expect(created.body.metadata.generation).toBe(1);
  expect(created.body.status).toEqual({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  const table = await api('GET', `${PDBS}/web`, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  expect(table.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
  expect(table.body.rows[0].cells.slice(0, 4)).toEqual(['web', '50%', 'N/A', 0]);
  const core = (await api('GET', '/api/v1')).body.resources;
  expect(core.find((r: any) => r.name === 'pods/eviction')).toEqual({ name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
  const policy = (await api('GET', '/apis/policy/v1')).body.resources;
  expect(policy.find((r: any) => r.name === 'poddisruptionbudgets')).toMatchObject({ kind: 'PodDisruptionBudget', shortNames: ['pdb'], namespaced: true });
  // A spec change moves the generation; the status stays the controller's.
  const updated = await api('PUT', `${PDBS}/web`, { ...created.body, spec: { ...created.body.spec, minAvailable: 2 }, status: { disruptionsAllowed: 9 } });
  expect([updated.status, updated.body.metadata.generation, updated.body.status.disruptionsAllowed]).toEqual([200, 2, 0]);
  await api('DELETE', `${PDBS}/web`);
});

test('bad budgets are refused with every cause (422)', async () => {
  const res = await api(
    'POST',
    PDBS,
    pdb('bad', { minAvailable: -1, maxUnavailable: '150%', selector: { matchExpressions: [{ key: 'app', operator: 'Near', values: ['x'] }] }, unhealthyPodEvictionPolicy: 'Sometimes' }),
  );
  expect(res.status).toBe(422);
  expect(res.body.reason).toBe('Invalid');
  expect(res.body.details.causes).toEqual([
    { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: {"minAvailable":-1,"maxUnavailable":"150%"}: minAvailable and maxUnavailable cannot be both set' },
    { reason: 'FieldValueInvalid', field: 'spec.minAvailable', message: 'Invalid value: -1: must be greater than or equal to 0' },
    { reason: 'FieldValueInvalid', field: 'spec.maxUnavailable', message: 'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%' },
    { reason: 'FieldValueInvalid', field: 'spec.selector.matchExpressions[0].operator', message: 'Invalid value: "Near": not a valid selector operator' },
    { reason: 'FieldValueNotSupported', field: 'spec.unhealthyPodEvictionPolicy', message: 'Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"' },
  ]);
  const neither = await api('POST', PDBS, pdb('neither', { selector: {} }));
  expect([neither.status, neither.body.details.causes]).toEqual([422, [{ reason: 'FieldValueRequired', field: 'spec', message: 'Required value: one of minAvailable or maxUnavailable must be set' }]]);
  const notPercent = await api('POST', PDBS, pdb('word', { maxUnavailable: 'half' }));
  expect([notPercent.status, notPercent.body.details.causes[0].field, notPercent.body.details.causes[0].message]).toEqual([
    422,
    'spec.maxUnavailable',
    expect.stringMatching(/^Invalid value: intstr.IntOrString\{Type:1, IntVal:0, StrVal:"half"\}: a valid percent string must be/),
  ]);
  const badStatus = await api('POST', PDBS, pdb('ok', { maxUnavailable: 1 }));
  const negative = await api('PUT', `${PDBS}/ok/status`, { ...badStatus.body, status: { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } });
  expect([negative.status, negative.body.details.causes]).toEqual([422, [{ reason: 'FieldValueInvalid', field: 'status.disruptionsAllowed', message: 'Invalid value: -1: must be greater than or equal to 0' }]]);
  for (const n of ['bad', 'neither', 'word']) expect((await api('GET', `${PDBS}/${n}`)).status).toBe(404);
  await api('DELETE', `${PDBS}/ok`);
});

test('eviction: 404 for a missing pod; a pod no budget covers is deleted; a refused one (429) names the budget and stays', async () => {
  const missing = await evict('ghost');
  expect([missing.status, missing.body.reason, missing.body.message]).toEqual([404, 'NotFound', 'pods "ghost" not found']);
  const mismatch = await api('POST', `${PODS}/ghost/eviction`, eviction('other'));
  expect([mismatch.status, mismatch.body.message]).toEqual([400, 'name in URL does not match name in Eviction object']);

  await runningPod('loner', 'loner');
  const free = await evict('loner');
  expect([free.status, free.body.status]).toEqual([201, 'Success']);
  const gone = (await api('GET', `${PODS}/loner`)).body;
  // Graceful: the pod on its node is marked and carries the DisruptionTarget condition.
  expect(gone.metadata.deletionTimestamp).toBeDefined();
  expect(gone.status.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }));

  await api('POST', PDBS, pdb('guard', { minAvailable: 2, selector: { matchLabels: { app: 'guarded' } } }));
  await runningPod('g-1', 'guarded');
  await runningPod('g-2', 'guarded');
  await setBudgetStatus('guard', { allowed: 0, healthy: 2, desired: 2, expected: 2 });
  const refused = await evict('g-1');
  expect(refused.status).toBe(429);
  expect(refused.body).toEqual({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: EVICTION_MESSAGE,
    reason: 'TooManyRequests',
    details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guard needs 2 healthy pods and has 2 currently' }] },
    code: 429,
  });
  expect((await api('GET', `${PODS}/g-1`)).body.metadata.deletionTimestamp).toBeUndefined();

  // A budget whose spec the controller has not yet observed: 429 with a Retry-After.
  const cur = (await api('GET', `${PDBS}/guard`)).body;
  await api('PUT', `${PDBS}/guard`, { ...cur, spec: { ...cur.spec, minAvailable: 1 } });
  const pending = await evict('g-1');
  expect([pending.status, pending.headers.get('retry-after'), pending.body.details]).toEqual([429, '10', { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guard is still being processed by the server.' }], retryAfterSeconds: 10 }]);
});

test('an allowed eviction uses the allowance (status.disruptedPods); of two concurrent evictions against one allowance exactly one passes', async () => {
  await api('POST', PDBS, pdb('pair', { maxUnavailable: 1, selector: { matchLabels: { app: 'pair' } } }));
  for (const n of ['p-1', 'p-2', 'p-3']) await runningPod(n, 'pair');
  await setBudgetStatus('pair', { allowed: 1, healthy: 3, desired: 2, expected: 3 });
  const results = await Promise.all([evict('p-1'), evict('p-2'), evict('p-3')]);
  expect(results.map((r) => r.status).sort()).toEqual([201, 429, 429]);
  const status = (await api('GET', `${PDBS}/pair`)).body.status;
  expect(status.disruptionsAllowed).toBe(0);
  const winner = ['p-1', 'p-2', 'p-3'][results.findIndex((r) => r.status === 201)];
  expect(Object.keys(status.disruptedPods)).toEqual([winner]);
  expect(status.conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' })]);
});

test("the Eviction's deleteOptions are honoured: dry run, uid precondition, grace period; Pending pods skip budgets", async () => {
  await api('POST', PDBS, pdb('opts', { maxUnavailable: 1, selector: { matchLabels: { app: 'opts' } } }));
  const o1 = await runningPod('o-1', 'opts');
  await runningPod('o-2', 'opts');
  await setBudgetStatus('opts', { allowed: 1, healthy: 2, desired: 1, expected: 2 });

  const dry = await evict('o-1', undefined, '?dryRun=All');
  expect(dry.status).toBe(201);
  expect((await api('GET', `${PODS}/o-1`)).body.metadata.deletionTimestamp).toBeUndefined();
  expect((await api('GET', `${PDBS}/opts`)).body.status).toMatchObject({ disruptionsAllowed: 1 });

  const wrongUid = await evict('o-1', { preconditions: { uid: 'not-the-uid' } });
  expect([wrongUid.status, wrongUid.body.reason]).toEqual([409, 'Conflict']);
  // The refused delete gave the allowance back.
  const after = (await api('GET', `${PDBS}/opts`)).body.status;
  expect([after.disruptionsAllowed, after.disruptedPods]).toEqual([1, undefined]);

  const now = await evict('o-1', { gracePeriodSeconds: 0, preconditions: { uid: o1.metadata.uid } });
  expect(now.status).toBe(201);
  expect((await api('GET', `${PODS}/o-1`)).status).toBe(404);

  // A Pending pod has not started serving: it goes whatever the budget says.
  await setBudgetStatus('opts', { allowed: 0, healthy: 1, desired: 1, expected: 2 });
  expect((await api('POST', PODS, pod('o-pending', { metadata: { labels: { app: 'opts' } } }))).status).toBe(201);
  expect((await evict('o-pending')).status).toBe(201);
  expect((await api('GET', `${PODS}/o-pending`)).status).toBe(404);
});

test('a pod two budgets cover is evicted only when both allow it, and a refusal leaves neither used', async () => {
  await api('POST', PDBS, pdb('all-of-app', { maxUnavailable: 1, selector: { matchLabels: { app: 'two' } } }));
  await api('POST', PDBS, pdb('everything', { minAvailable: 1, selector: {} }));
  await runningPod('t-1', 'two');
  await setBudgetStatus('all-of-app', { allowed: 1, healthy: 1, desired: 0, expected: 1 });
  await setBudgetStatus('everything', { allowed: 0, healthy: 1, desired: 1, expected: 1 });
  const refused = await evict('t-1');
  expect([refused.status, refused.body.details.causes[0].message]).toEqual([429, 'The disruption budget everything needs 1 healthy pods and has 1 currently']);
  expect((await api('GET', `${PDBS}/all-of-app`)).body.status).toMatchObject({ disruptionsAllowed: 1 });
  expect((await api('GET', `${PDBS}/all-of-app`)).body.status.disruptedPods).toBeUndefined();
  await setBudgetStatus('everything', { allowed: 1, healthy: 2, desired: 1, expected: 2 });
  expect((await evict('t-1')).status).toBe(201);
  for (const n of ['all-of-app', 'everything']) expect(Object.keys((await api('GET', `${PDBS}/${n}`)).body.status.disruptedPods)).toEqual(['t-1']);
  await api('DELETE', `${PDBS}/everything`);
});

/** The bytes kubectl drain sends: `k8s\0` then runtime.Unknown{typeMeta, raw = the Eviction}. */
function protobufEviction(name: string, gracePeriodSeconds?: number): Buffer {
  const meta = protobuf.Writer.create().uint32(10).string(name).uint32(26).string('default').finish();
  const w = protobuf.Writer.create().uint32(10).bytes(meta);
  if (gracePeriodSeconds !== undefined) w.uint32(18).bytes(protobuf.Writer.create().uint32(8).int64(gracePeriodSeconds).finish());
  const typeMeta = protobuf.Writer.create().uint32(10).string('policy/v1').uint32(18).string('Eviction').finish();
  const unknown = protobuf.Writer.create().uint32(10).bytes(typeMeta).uint32(18).bytes(w.finish()).finish();
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown]);
}

test("the protobuf Eviction kubectl drain sends is understood, its deleteOptions included; garbage is a 415", async () => {
  await runningPod('pb-1', 'pb');
  const post = (body: Buffer) => fetch(`${server.url}${PODS}/pb-1/eviction`, { method: 'POST', headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/json' }, body });
  const bad = await post(Buffer.from('k8s\0\x0a\xff\xff', 'latin1'));
  expect(bad.status).toBe(415);
  const res = await post(protobufEviction('pb-1', 0));
  expect(res.status).toBe(201);
  expect((await api('GET', `${PODS}/pb-1`)).status).toBe(404);
});

test('a node-sized burst of evictions under a budget that allows them all: every one passes, none is lost to write conflicts', async () => {
  const n = 40;
  await api('POST', PDBS, pdb('burst', { maxUnavailable: n, selector: { matchLabels: { app: 'burst' } } }));
  for (let i = 0; i < n; i++) await runningPod(`b-${i}`, 'burst');
  await setBudgetStatus('burst', { allowed: n, healthy: n, desired: 0, expected: n });
  const results = await Promise.all(Array.from({ length: n }, (_, i) => evict(`b-${i}`)));
  expect(results.map((r) => r.status)).toEqual(Array(n).fill(201));
  const status = (await api('GET', `${PDBS}/burst`)).body.status;
  expect([status.disruptionsAllowed, Object.keys(status.disruptedPods).length]).toEqual([0, n]);
});
