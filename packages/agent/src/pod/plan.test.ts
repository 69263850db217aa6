import { planPodSync } from './plan.ts';
import { pod, observed } from './fixtures.test-util.ts';

const backoff = { baseMs: 10_000, maxMs: 300_000 };
const now = Date.parse('2026-11-28T12:00:00Z');
const plan = (p: ReturnType<typeof pod>, containers: ReturnType<typeof observed>[], unhealthy: string[] = []) =>
  planPodSync({ pod: p, containers, now, backoff, unhealthy: new Set(unhealthy) });

test('a new pod starts each container', () => {
  const p = pod({ containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i' }] });
  expect(plan(p, [])).toEqual([
    { type: 'start', container: 'a', init: false, restartCount: 0 },
    { type: 'start', container: 'b', init: false, restartCount: 0 },
  ]);
});

test('a running, healthy container is left alone; an unhealthy one is killed', () => {
  const p = pod();
  const c = observed(p, 'app', 'running');
  expect(plan(p, [c])).toEqual([]);
  expect(plan(p, [c], [c.id])).toEqual([{ type: 'kill', container: 'app', id: c.id, graceSeconds: 30, reason: 'LivenessFailed' }]);
});

test('an exited container restarts at once the first time, then after a doubling back-off', () => {
  const p = pod();
  const exited = (restartCount: number, agoMs: number) =>
    observed(p, 'app', 'exited', { exitCode: 1, startedAt: new Date(now - agoMs - 1_000).toISOString(), finishedAt: new Date(now - agoMs).toISOString(), restartCount });
  // The first exit: restarted at once, as the kubelet does.
  const first = exited(0, 5_000);
  expect(plan(p, [first])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 1 }]);
  // After one restart: wait the base (10 s) from the exit, 5 s of which remain.
  expect(plan(p, [exited(1, 5_000)])).toEqual([{ type: 'backoff', container: 'app', until: now + 5_000 }]);
  // After two: 20 s, which has passed; after three: 40 s, 10 s of which remain.
  expect(plan(p, [exited(2, 50_000)])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 3 }]);
  expect(plan(p, [exited(3, 30_000)])).toEqual([{ type: 'backoff', container: 'app', until: now + 10_000 }]);
  expect(plan(pod({ restartPolicy: 'Never' }), [first])).toEqual([]);
  const ok = observed(p, 'app', 'exited', { exitCode: 0, finishedAt: new Date(now - 600_000).toISOString() });
  expect(plan(pod({ restartPolicy: 'OnFailure' }), [ok])).toEqual([]);
});

test('older attempts beyond the previous one are removed', () => {
  const p = pod();
  const a0 = observed(p, 'app', 'exited', { exitCode: 1, restartCount: 0, finishedAt: new Date(now).toISOString() });
  const a1 = observed(p, 'app', 'exited', { exitCode: 1, restartCount: 1, finishedAt: new Date(now).toISOString() });
  const a2 = observed(p, 'app', 'running', { restartCount: 2 });
  expect(plan(p, [a0, a1, a2])).toEqual([{ type: 'remove', id: a0.id }]);
});

test('a container whose spec changed is replaced', () => {
  const p = pod();
  const c = observed(p, 'app', 'running');
  const changed = pod({ containers: [{ name: 'app', image: 'skiff/busybox:2' }] });
  expect(plan(changed, [c])).toEqual([{ type: 'kill', container: 'app', id: c.id, graceSeconds: 30, reason: 'SpecChanged' }]);
});

test('init containers run in order before the app containers', () => {
  const p = pod({ initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] });
  expect(plan(p, [])).toEqual([{ type: 'start', container: 'i1', init: true, restartCount: 0 }]);
  const i1 = observed(p, 'i1', 'exited', { exitCode: 0 });
  expect(plan(p, [i1])).toEqual([{ type: 'start', container: 'i2', init: true, restartCount: 0 }]);
  const i2 = observed(p, 'i2', 'exited', { exitCode: 0 });
  expect(plan(p, [i1, i2])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 0 }]);
});

test('a container whose start failed (no finishedAt) is restarted once the back-off from its creation has passed', () => {
  const p = pod();
  const failed = observed(p, 'app', 'exited', { exitCode: 127, startedAt: undefined, finishedAt: undefined, createdAt: new Date(now - 11_000).toISOString(), error: 'exec: "/nonexistent": no such file' });
  expect(plan(p, [failed])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 1 }]);
});

test('a grace period of 1 s is not lost to the second resolution of deletionTimestamp', () => {
  // Deleted at 11:59:59.950 with --grace-period=1: deletionTimestamp 12:00:00Z (truncated), seen at 12:00:00.010.
  const p = pod({}, { deletionTimestamp: new Date(now).toISOString(), deletionGracePeriodSeconds: 1 });
  const c = observed(p, 'app', 'running');
  const late = planPodSync({ pod: p, containers: [c], now: now + 10, backoff, unhealthy: new Set() });
  expect(late).toEqual([{ type: 'kill', container: 'app', id: c.id, graceSeconds: 1, reason: 'Deleting' }]);
  // Long past the deadline (the agent was down): no grace left.
  const down = planPodSync({ pod: p, containers: [c], now: now + 5000, backoff, unhealthy: new Set() });
  expect(down).toEqual([{ type: 'kill', container: 'app', id: c.id, graceSeconds: 0, reason: 'Deleting' }]);
});

test('deletion stops running containers within the remaining grace, then removes and confirms', () => {
  const p = pod({}, { deletionTimestamp: new Date(now + 20_000).toISOString(), deletionGracePeriodSeconds: 30 });
  const c = observed(p, 'app', 'running');
  expect(plan(p, [c])).toEqual([{ type: 'kill', container: 'app', id: c.id, graceSeconds: 20, reason: 'Deleting' }]);
  const stopped = { ...c, state: 'exited' as const, exitCode: 137 };
  expect(plan(p, [stopped])).toEqual([{ type: 'remove', id: c.id }, { type: 'confirm-deletion' }]);
});

test('a failed init container is retried (OnFailure, Always) or fails the pod (Never); app containers wait', () => {
  const spec = { initContainers: [{ name: 'i1', image: 'x' }] };
  const failed = (p: ReturnType<typeof pod>) => observed(p, 'i1', 'exited', { exitCode: 1, finishedAt: new Date(now - 1000).toISOString() });
  const always = pod(spec);
  expect(plan(always, [failed(always)])).toEqual([{ type: 'start', container: 'i1', init: true, restartCount: 1 }]);
  const never = pod({ ...spec, restartPolicy: 'Never' });
  expect(plan(never, [failed(never)])).toEqual([]);
});

test('sidecars start in order, the next init container once the sidecar has started, and keep running beside the app', () => {
  const p = pod({ initContainers: [{ name: 'proxy', image: 'x', restartPolicy: 'Always' }, { name: 'migrate', image: 'x' }] });
  expect(plan(p, [])).toEqual([{ type: 'start', container: 'proxy', init: true, restartCount: 0 }]);
  const proxy = observed(p, 'proxy', 'running');
  // Its startup probe has not passed yet: nothing else starts.
  expect(planPodSync({ pod: p, containers: [proxy], now, backoff, unhealthy: new Set(), notStarted: new Set([proxy.id]) })).toEqual([]);
  expect(plan(p, [proxy])).toEqual([{ type: 'start', container: 'migrate', init: true, restartCount: 0 }]);
  const migrate = observed(p, 'migrate', 'exited', { exitCode: 0 });
  expect(plan(p, [proxy, migrate])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 0 }]);
  // A sidecar that exits is restarted even beside a running app, and the init container is not run again.
  const app = observed(p, 'app', 'running');
  const crashed = { ...proxy, state: 'exited' as const, exitCode: 1, finishedAt: new Date(now - 1000).toISOString() };
  expect(plan(p, [crashed, app])).toEqual([{ type: 'start', container: 'proxy', init: true, restartCount: 1 }]);
});

test('sidecars stop once the app has finished for good, and after the app containers on deletion', () => {
  const spec = { restartPolicy: 'Never', initContainers: [{ name: 'proxy', image: 'x', restartPolicy: 'Always' }] };
  const p = pod(spec);
  const proxy = observed(p, 'proxy', 'running');
  const done = observed(p, 'app', 'exited', { exitCode: 0 });
  expect(plan(p, [proxy, done])).toEqual([{ type: 'kill', container: 'proxy', id: proxy.id, graceSeconds: 30, reason: 'Completed' }]);
  const deleting = pod(spec, { deletionTimestamp: new Date(now + 20_000).toISOString(), deletionGracePeriodSeconds: 30 });
  const app = observed(deleting, 'app', 'running');
  expect(plan(deleting, [proxy, app])).toEqual([{ type: 'kill', container: 'app', id: app.id, graceSeconds: 20, reason: 'Deleting' }]);
  expect(plan(deleting, [proxy, { ...app, state: 'exited', exitCode: 0 }])).toEqual([{ type: 'kill', container: 'proxy', id: proxy.id, graceSeconds: 20, reason: 'Deleting' }]);
});

test('a restart removes the attempt before the previous one first, so at most two attempts exist', () => {
  const p = pod();
  const a0 = observed(p, 'app', 'exited', { exitCode: 1, restartCount: 0, finishedAt: new Date(now - 60_000).toISOString() });
  const a1 = observed(p, 'app', 'exited', { exitCode: 1, restartCount: 1, finishedAt: new Date(now - 60_000).toISOString() });
  expect(plan(p, [a0, a1])).toEqual([{ type: 'remove', id: a0.id }, { type: 'start', container: 'app', init: false, restartCount: 2 }]);
});

test('an evicted pod: its running containers are stopped within the eviction grace period, and nothing starts again', () => {
  const p = pod({ containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i' }] });
  const a = observed(p, 'a', 'running');
  const b = observed(p, 'b', 'exited', { exitCode: 1, finishedAt: new Date(now - 600_000).toISOString() });
  const evicted = (containers: ReturnType<typeof observed>[]) => planPodSync({ pod: p, containers, now, backoff, unhealthy: new Set(), evicted: { graceSeconds: 1 } });
  expect(evicted([a, b])).toEqual([{ type: 'kill', container: 'a', id: a.id, graceSeconds: 1, reason: 'Evicted' }]);
  expect(evicted([b])).toEqual([]);
  expect(evicted([])).toEqual([]);
});

test('a container whose attempts all vanished goes on from the restart count last reported for it', () => {
  const withStatus = (containerStatuses: unknown[], spec: Record<string, unknown> = {}, initContainerStatuses: unknown[] = []) => ({ ...pod(spec), status: { containerStatuses, initContainerStatuses } });
  // The report still names the attempt that has gone: the next one is a restart.
  const running = { name: 'app', containerID: 'docker://c-old', restartCount: 2, state: { running: {} } };
  expect(plan(withStatus([running]), [])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 3 }]);
  // The report already counts it (waiting since, ./status.ts): the next attempt takes that count.
  const waiting = { name: 'app', restartCount: 3, state: { waiting: { reason: 'ErrImagePull' } }, lastState: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' } } };
  expect(plan(withStatus([waiting]), [])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 3 }]);
  // Init containers from initContainerStatuses.
  const spec = { initContainers: [{ name: 'i1', image: 'x' }] };
  expect(plan(withStatus([], spec, [{ ...running, name: 'i1' }]), [])).toEqual([{ type: 'start', container: 'i1', init: true, restartCount: 3 }]);
});

test('a vanished container runs again only if the restart policy restarts how it last ended', () => {
  const withStatus = (containerStatuses: unknown[], spec: Record<string, unknown> = {}, initContainerStatuses: unknown[] = []) => ({ ...pod(spec), status: { containerStatuses, initContainerStatuses } });
  const running = { name: 'app', containerID: 'docker://c-old', restartCount: 0, state: { running: {} } };
  const unknown = { name: 'app', restartCount: 1, state: { waiting: { reason: 'ContainerCreating' } }, lastState: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown' } } };
  const completed = { name: 'app', containerID: 'docker://c-old', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
  // Never: one that ran is not started again, whether the report names the attempt or has converted it.
  for (const s of [running, unknown, completed]) expect(plan(withStatus([s], { restartPolicy: 'Never' }), [])).toEqual([]);
  // OnFailure: an unknown end (137) is a failure, restarted; a completed one is not.
  expect(plan(withStatus([running], { restartPolicy: 'OnFailure' }), [])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 1 }]);
  expect(plan(withStatus([unknown], { restartPolicy: 'OnFailure' }), [])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 1 }]);
  expect(plan(withStatus([completed], { restartPolicy: 'OnFailure' }), [])).toEqual([]);
  // Always: restarted whatever the end.
  expect(plan(withStatus([completed]), [])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 1 }]);
  // Never ran (no report, or waiting without a termination): started.
  expect(plan(withStatus([], { restartPolicy: 'Never' }), [])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 0 }]);
  expect(plan(withStatus([{ name: 'app', restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } }], { restartPolicy: 'Never' }), [])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 0 }]);
});

test('an init container that succeeded and vanished is not run again; one that vanished running under Never is not restarted', () => {
  const spec = { initContainers: [{ name: 'i1', image: 'x' }], restartPolicy: 'Never' };
  const withInit = (i1: unknown) => ({ ...pod(spec), status: { initContainerStatuses: [i1], containerStatuses: [] } });
  expect(plan(withInit({ name: 'i1', containerID: 'docker://i-old', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }), [])).toEqual([{ type: 'start', container: 'app', init: false, restartCount: 0 }]);
  expect(plan(withInit({ name: 'i1', containerID: 'docker://i-old', restartCount: 0, state: { running: {} } }), [])).toEqual([]);
});

test('a vanished sidecar is not restarted once the app containers have finished for good', () => {
  const spec = { initContainers: [{ name: 'proxy', image: 'x', restartPolicy: 'Always' }], restartPolicy: 'Never' };
  const p = { ...pod(spec), status: { containerStatuses: [{ name: 'app', containerID: 'docker://c-old', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } };
  expect(plan(p, [])).toEqual([]);
});

test('an ephemeral container that ran and vanished is not started again', () => {
  const spec = { ephemeralContainers: [{ name: 'debug', image: 'x' }] };
  const p = { ...pod(spec), status: { ephemeralContainerStatuses: [{ name: 'debug', containerID: 'docker://d-old', restartCount: 0, state: { running: {} } }] } };
  const app = observed(p, 'app', 'running');
  expect(plan(p, [app])).toEqual([]);
  expect(plan(pod(spec), [observed(pod(spec), 'app', 'running')])).toEqual([{ type: 'start', container: 'debug', init: false, restartCount: 0 }]);
});
