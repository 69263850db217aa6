import { computePodStatus } from './status.ts';
import { pod, observed } from './fixtures.test-util.ts';

const now = Date.parse('2026-11-28T12:00:00Z');
const status = (p: ReturnType<typeof pod>, containers: ReturnType<typeof observed>[], opts: { ready?: [string, boolean][]; waiting?: [string, { reason: string; message?: string }][] } = {}) =>
  computePodStatus({ pod: p, containers, now, hostIP: '127.0.1.1', runtime: 'docker', ready: new Map(opts.ready ?? []), started: new Map(), waiting: new Map(opts.waiting ?? []) }) as any;

test('no container yet: Pending, ContainerCreating, not ready', () => {
  const s = status(pod(), []);
  expect(s.phase).toBe('Pending');
  expect(s.containerStatuses[0]).toMatchObject({ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } });
  expect(s.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
});

test('running and ready: Running, Ready=True, pod IP from the container', () => {
  const p = pod();
  const c = observed(p, 'app', 'running', { startedAt: '2026-11-28T11:59:00.123Z', ip: '172.17.0.5' });
  const s = status(p, [c], { ready: [[c.id, true]] });
  expect(s.phase).toBe('Running');
  expect(s.podIP).toBe('172.17.0.5');
  expect(s.containerStatuses[0]).toMatchObject({ ready: true, started: true, containerID: `docker://${c.id}`, state: { running: { startedAt: '2026-11-28T11:59:00Z' } } });
  expect(s.conditions.filter((c: any) => ['Ready', 'ContainersReady'].includes(c.type)).map((c: any) => c.status)).toEqual(['True', 'True']);
});

test('crash loop: waiting CrashLoopBackOff with the last termination and restart count', () => {
  const p = pod();
  const prev = observed(p, 'app', 'exited', { exitCode: 2, restartCount: 3, startedAt: '2026-11-28T11:59:50Z', finishedAt: '2026-11-28T11:59:55Z' });
  const s = status(p, [prev], { waiting: [['app', { reason: 'CrashLoopBackOff', message: 'back-off 1m20s restarting failed container=app pod=web_default(uid-1234-5678)' }]] });
  expect(s.phase).toBe('Running');
  expect(s.containerStatuses[0]).toMatchObject({
    restartCount: 3,
    state: { waiting: { reason: 'CrashLoopBackOff' } },
    lastState: { terminated: { exitCode: 2, reason: 'Error', finishedAt: '2026-11-28T11:59:55Z' } },
  });
});

test('OOMKilled, Completed and Failed phases follow the restart policy', () => {
  const never = pod({ restartPolicy: 'Never' });
  const oom = observed(never, 'app', 'exited', { exitCode: 137, oomKilled: true });
  const s = status(never, [oom]);
  expect(s.phase).toBe('Failed');
  expect(s.containerStatuses[0].state.terminated.reason).toBe('OOMKilled');
  const done = observed(never, 'app', 'exited', { exitCode: 0 });
  expect(status(never, [done]).phase).toBe('Succeeded');
  expect(status(never, [done]).containerStatuses[0].state.terminated.reason).toBe('Completed');
});

test('init containers: PodInitializing while they run, Initialized once done; sidecars count as started and ready', () => {
  const p = pod({ initContainers: [{ name: 'proxy', image: 'x', restartPolicy: 'Always' }, { name: 'migrate', image: 'x' }] });
  const s0 = status(p, []);
  expect(s0.initContainerStatuses.map((c: any) => c.state.waiting.reason)).toEqual(['PodInitializing', 'PodInitializing']);
  expect(s0.containerStatuses[0].state.waiting.reason).toBe('PodInitializing');
  expect(s0.conditions.find((c: any) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized' });
  const proxy = observed(p, 'proxy', 'running', { startedAt: '2026-11-28T11:59:00Z' });
  const migrate = observed(p, 'migrate', 'exited', { exitCode: 0, startedAt: '2026-11-28T11:59:01Z', finishedAt: '2026-11-28T11:59:02Z' });
  const app = observed(p, 'app', 'running', { startedAt: '2026-11-28T11:59:03Z' });
  const s1 = status(p, [proxy, migrate, app], { ready: [[proxy.id, true], [app.id, true]] });
  expect(s1.initContainerStatuses[0]).toMatchObject({ name: 'proxy', started: true, ready: true, state: { running: {} } });
  expect(s1.initContainerStatuses[1]).toMatchObject({ name: 'migrate', ready: false, state: { terminated: { reason: 'Completed' } } });
  expect(s1.initContainerStatuses[1].started).toBeUndefined();
  expect(s1.conditions.filter((c: any) => ['Initialized', 'Ready'].includes(c.type)).map((c: any) => c.status)).toEqual(['True', 'True']);
  // A sidecar that is not ready keeps the pod not ready.
  const s2 = status(p, [proxy, migrate, app], { ready: [[app.id, true]] });
  expect(s2.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', message: 'containers with unready status: [proxy]' });
});

test('a failed init container with restartPolicy Never fails the pod; termination messages join the runtime error', () => {
  const p = pod({ restartPolicy: 'Never', initContainers: [{ name: 'i1', image: 'x' }] });
  const failed = observed(p, 'i1', 'exited', { exitCode: 3 });
  const s = computePodStatus({ pod: p, containers: [failed], now, hostIP: '127.0.1.1', runtime: 'docker', ready: new Map(), started: new Map(), waiting: new Map(), messages: new Map([[failed.id, 'schema too new']]) }) as any;
  expect(s.phase).toBe('Failed');
  expect(s.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error', message: 'schema too new' });
});

test('an evicted pod is Failed with the reason Evicted and its message, whatever its restart policy', () => {
  const p = pod();
  const c = observed(p, 'app', 'exited', { exitCode: 137, finishedAt: '2026-11-28T11:59:55Z' });
  const s = computePodStatus({ pod: p, containers: [c], now, hostIP: '127.0.1.1', runtime: 'docker', ready: new Map(), started: new Map(), waiting: new Map(), evicted: { message: 'Usage of EmptyDir volume "data" exceeds the limit "1Mi". ' } }) as any;
  expect(s).toMatchObject({ phase: 'Failed', reason: 'Evicted', message: 'Usage of EmptyDir volume "data" exceeds the limit "1Mi". ' });
  expect(s.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
  expect(status(p, [c]).reason).toBeUndefined();
});

describe('a container none of whose attempts the runtime holds any more (docker rm -f), as the kubelet reports it', () => {
  const running = { name: 'app', image: 'skiff/busybox:1', imageID: 'sha256:abc', containerID: 'docker://c-old', restartCount: 2, ready: true, started: true, state: { running: { startedAt: '2026-11-28T11:59:00Z' } }, lastState: {} };
  const unknown = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was deleted.  The container used to be Running' } };
  const reported = (containerStatuses: unknown[], spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({ ...pod(spec, meta), status: { phase: 'Running', containerStatuses } });

  test('it was running: its end is unknown (exit code 137), it counts as restarted, it waits, and the pod stays Running', () => {
    const s = status(reported([running]), []);
    expect(s.phase).toBe('Running');
    expect(s.containerStatuses[0]).toEqual({ name: 'app', image: 'skiff/busybox:1', imageID: '', restartCount: 3, state: { waiting: { reason: 'ContainerCreating' } }, lastState: unknown, ready: false, started: false });
  });

  test('the count survives every status written before the next attempt exists, and the next attempt takes it over', () => {
    const first = status(reported([running]), [], { waiting: [['app', { reason: 'ErrImagePull', message: 'pull access denied' }]] });
    expect(first.containerStatuses[0]).toMatchObject({ restartCount: 3, state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } }, lastState: unknown });
    const again = status(reported(first.containerStatuses), [], { waiting: [['app', { reason: 'ImagePullBackOff' }]] });
    expect(again.containerStatuses[0]).toMatchObject({ restartCount: 3, state: { waiting: { reason: 'ImagePullBackOff' } }, lastState: unknown });
    expect(again.containerStatuses[0].containerID).toBeUndefined();
    const p = reported(again.containerStatuses);
    const next = observed(p, 'app', 'running', { restartCount: 3 });
    expect(status(p, [next]).containerStatuses[0]).toMatchObject({ restartCount: 3, containerID: `docker://${next.id}`, state: { running: {} } });
  });

  test('an exited attempt waiting to be restarted: counts as restarted, keeps its own last termination', () => {
    const crashed = { ...running, ready: false, started: false, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 2, reason: 'Error', containerID: 'docker://c-old' } } };
    const s = status(reported([crashed]), []);
    expect(s.containerStatuses[0]).toMatchObject({ restartCount: 3, state: { waiting: { reason: 'ContainerCreating' } }, lastState: crashed.lastState });
    expect(s.containerStatuses[0].containerID).toBeUndefined();
  });

  test('a terminated one is kept as it was; in a pod being deleted nothing counts as restarted', () => {
    const done = { ...running, ready: false, state: { terminated: { exitCode: 0, reason: 'Completed', containerID: 'docker://c-old' } } };
    expect(status(reported([done], { restartPolicy: 'Never' }), []).containerStatuses[0]).toEqual(done);
    const deleting = reported([running], {}, { deletionTimestamp: '2026-11-28T12:00:30Z' });
    expect(status(deleting, []).containerStatuses[0]).toMatchObject({ restartCount: 2, lastState: unknown });
  });

  test('it was running in a pod that restarts nothing (Never): the pod has Failed; under OnFailure it is Running, to be restarted', () => {
    const never = status(reported([running], { restartPolicy: 'Never' }), []);
    expect(never.phase).toBe('Failed');
    expect(never.containerStatuses[0]).toMatchObject({ restartCount: 3, state: { waiting: { reason: 'ContainerCreating' } }, lastState: unknown });
    // Computed again from what was written: it stays Failed.
    expect(status(reported(never.containerStatuses, { restartPolicy: 'Never' }), []).phase).toBe('Failed');
    expect(status(reported([running], { restartPolicy: 'OnFailure' }), []).phase).toBe('Running');
  });

  test('one that had completed and vanished since: Succeeded under Never and OnFailure; with another still running, Running', () => {
    const done = { ...running, ready: false, state: { terminated: { exitCode: 0, reason: 'Completed', containerID: 'docker://c-old' } } };
    expect(status(reported([done], { restartPolicy: 'Never' }), []).phase).toBe('Succeeded');
    expect(status(reported([done], { restartPolicy: 'OnFailure' }), []).phase).toBe('Succeeded');
    const two = { containers: [{ name: 'app', image: 'skiff/busybox:1' }, { name: 'side', image: 'skiff/busybox:1' }], restartPolicy: 'Never' };
    const p = reported([done], two);
    expect(status(p, [observed(p, 'side', 'running')]).phase).toBe('Running');
  });

  test('init containers whose attempts vanished: succeeded ones leave the pod initialized; a running one under Never fails the pod', () => {
    const spec = { initContainers: [{ name: 'i1', image: 'x' }], restartPolicy: 'Never' };
    const ok = { ...running, name: 'i1', image: 'x', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed', containerID: 'docker://i-old' } } };
    const p = { ...pod(spec), status: { initContainerStatuses: [ok], containerStatuses: [] } };
    const s = status(p, [observed(p, 'app', 'running')]);
    expect(s.phase).toBe('Running');
    expect(s.conditions.find((c: any) => c.type === 'Initialized').status).toBe('True');
    const init = { ...pod(spec), status: { initContainerStatuses: [{ ...running, name: 'i1', image: 'x' }], containerStatuses: [] } };
    const failed = status(init, []);
    expect(failed.phase).toBe('Failed');
    expect(failed.initContainerStatuses[0]).toMatchObject({ lastState: unknown });
  });

  test('an init container the same, from initContainerStatuses', () => {
    const spec = { initContainers: [{ name: 'proxy', image: 'x', restartPolicy: 'Always' }] };
    const p = { ...pod(spec), status: { initContainerStatuses: [{ ...running, name: 'proxy', image: 'x' }], containerStatuses: [running] } };
    const s = status(p, [observed(p, 'app', 'running', { restartCount: 2, startedAt: '2026-11-28T11:59:00Z' })]);
    expect(s.initContainerStatuses[0]).toMatchObject({ name: 'proxy', restartCount: 3, state: { waiting: { reason: 'PodInitializing' } }, lastState: unknown, ready: false });
  });
});
