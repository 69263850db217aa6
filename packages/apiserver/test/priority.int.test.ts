// PriorityClasses and the Priority admission over HTTP: the system classes, a pod's class resolved
// into spec.priority and spec.preemptionPolicy, the global default, and every refusal with
// Kubernetes' code and message.
import { until } from '../src/testing/index.ts';
import { useTestServer, pod } from './support/server.ts';

const { server, api } = useTestServer();

const PCS = '/apis/scheduling.k8s.io/v1/priorityclasses';
const PODS = '/api/v1/namespaces/default/pods';
const pc = (name: string, value: number, extra: Record<string, unknown> = {}) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra });

test('the system classes exist from the start', async () => {
  const list = await api('GET', PCS);
  const byName = Object.fromEntries(list.body.items.map((c: any) => [c.metadata.name, c.value]));
  expect(byName).toMatchObject({ 'system-cluster-critical': 2000000000, 'system-node-critical': 2000001000 });
});

test("a pod's class becomes its priority and preemption policy; without one it gets 0, or the global default's", async () => {
  expect((await api('POST', PCS, pc('batch', 10, { preemptionPolicy: 'Never' }))).status).toBe(201);
  const withClass = await api('POST', PODS, pod('with-class', { spec: { priorityClassName: 'batch' } }));
  expect([withClass.status, withClass.body.spec.priority, withClass.body.spec.preemptionPolicy]).toEqual([201, 10, 'Never']);
  const plain = await api('POST', PODS, pod('plain'));
  expect([plain.status, plain.body.spec.priority, plain.body.spec.preemptionPolicy, plain.body.spec.priorityClassName]).toEqual([201, 0, 'PreemptLowerPriority', undefined]);

  expect((await api('POST', PCS, pc('everyday', 50, { globalDefault: true }))).status).toBe(201);
  // The admission's view of the classes is fed by a watch: wait until the new default reached it
  // (a dry-run create shows what a create would store, and stores nothing).
  await until('the default class in the admission view', async () => (await api('POST', `${PODS}?dryRun=All`, pod('probe'))).body.spec.priorityClassName === 'everyday');
  const defaulted = (await api('POST', PODS, pod('defaulted'))).body;
  expect([defaulted.spec.priorityClassName, defaulted.spec.priority]).toEqual(['everyday', 50]);
  // A replace that leaves the admitted fields out keeps them.
  const replaced = await api('PUT', `${PODS}/defaulted`, { ...pod('defaulted'), metadata: { name: 'defaulted', labels: { x: 'y' }, resourceVersion: defaulted.metadata.resourceVersion } });
  expect([replaced.status, replaced.body.spec.priority]).toEqual([200, 50]);
});

test('refusals: unknown class, a priority or policy that contradicts the class (403); a second default (403); reserved names and values (422); value changes', async () => {
  const unknown = await api('POST', PODS, pod('lost', { spec: { priorityClassName: 'nope' } }));
  expect([unknown.status, unknown.body.reason, unknown.body.message]).toEqual([403, 'Forbidden', 'pods "lost" is forbidden: no PriorityClass with name nope was found']);
  await api('POST', PCS, pc('mid', 500));
  const contradicts = await api('POST', PODS, pod('liar', { spec: { priorityClassName: 'mid', priority: 7 } }));
  expect([contradicts.status, contradicts.body.message]).toEqual([403, 'pods "liar" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 500 from the given PriorityClass name']);
  const policy = await api('POST', PODS, pod('liar2', { spec: { priorityClassName: 'mid', preemptionPolicy: 'Never' } }));
  expect([policy.status, policy.body.message]).toEqual([403, 'pods "liar2" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name']);
  for (const name of ['lost', 'liar', 'liar2']) expect((await api('GET', `${PODS}/${name}`)).status).toBe(404);

  // 'everyday' (above) is the global default already.
  const second = await api('POST', PCS, pc('second-default', 2, { globalDefault: true }));
  expect([second.status, second.body.message]).toEqual([403, expect.stringMatching(/^priorityclasses.scheduling.k8s.io "second-default" is forbidden: PriorityClass everyday is already marked as default. Only one default can exist$/)]);

  const reserved = await api('POST', PCS, pc('system-mine', 5));
  expect([reserved.status, reserved.body.details.causes]).toEqual([422, [{ reason: 'FieldValueForbidden', field: 'metadata.name', message: "Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class" }]]);
  const tooHigh = await api('POST', PCS, pc('huge', 1_000_000_001));
  expect([tooHigh.status, tooHigh.body.details.causes[0].message]).toEqual([422, 'Forbidden: maximum allowed value of a user defined priority is 1000000000']);

  const got = (await api('GET', `${PCS}/mid`)).body;
  const changed = await api('PUT', `${PCS}/mid`, { ...got, value: 600 });
  expect([changed.status, changed.body.details.causes]).toEqual([422, [{ reason: 'FieldValueForbidden', field: 'value', message: 'Forbidden: may not be changed in an update.' }]]);
});

test('kubectl get priorityclasses columns (the server-side Table)', async () => {
  const t = await api('GET', `${PCS}/system-node-critical`, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  expect(t.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy']);
  expect(t.body.rows[0].cells.slice(0, 3)).toEqual(['system-node-critical', 2000001000, false]);
});
